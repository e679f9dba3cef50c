/**
 * Renders a kustomization the way `kubectl kustomize` does, for the part of Kustomize that
 * deploy/k8s uses: `resources` (files and directories with their own kustomization), `namespace`,
 * `images` and `patches` (RFC 6902 JSON patches with a target). Anything else in a
 * kustomization.yaml is refused, so a manifest cannot silently render differently here than in
 * kubectl. Kustomize itself is a Go program with no npm or Debian package; this lets the tests
 * render both overlays on any machine with Node alone (the output of `kubectl kustomize` was
 * compared with this one by hand: the same objects).
 */
import fs from 'node:fs';
import path from 'node:path';

import { applyPatch, type Operation } from 'fast-json-patch';
import { parseAllDocuments } from 'yaml';

export type K8sObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string } & Record<string, unknown>;
};

interface PatchTarget {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
}

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
  patches?: { target?: PatchTarget; patch?: string; path?: string }[];
}

const SUPPORTED_KEYS = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'images', 'patches']);

/** Kinds without a namespace among those deploy/k8s uses (Kustomize leaves them alone). */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
]);

export class RenderError extends Error {}

/** Every YAML document of a file, each checked to look like a Kubernetes object. */
export function readObjects(file: string): K8sObject[] {
  const documents = parseAllDocuments(fs.readFileSync(file, 'utf8'));
  const objects: K8sObject[] = [];
  for (const document of documents) {
    if (document.errors.length > 0) throw new RenderError(`${file}: ${document.errors[0]?.message}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    if (!isObject(value) || typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') {
      throw new RenderError(`${file}: a document without apiVersion and kind`);
    }
    const metadata = value.metadata;
    if (!isObject(metadata) || typeof metadata.name !== 'string') {
      throw new RenderError(`${file}: ${value.kind} without metadata.name`);
    }
    objects.push(value as K8sObject);
  }
  return objects;
}

/** The objects a directory's kustomization.yaml stands for, overlays applied. */
export function renderKustomization(dir: string): K8sObject[] {
  const file = path.join(dir, 'kustomization.yaml');
  if (!fs.existsSync(file)) throw new RenderError(`${dir} has no kustomization.yaml`);
  const kustomization = parseKustomization(file);
  let objects: K8sObject[] = [];
  for (const resource of kustomization.resources ?? []) {
    const target = path.resolve(dir, resource);
    if (!fs.existsSync(target)) throw new RenderError(`${file}: resource ${resource} does not exist`);
    objects.push(...(fs.statSync(target).isDirectory() ? renderKustomization(target) : readObjects(target)));
  }
  assertUnique(objects, file);
  for (const [index, patch] of (kustomization.patches ?? []).entries()) {
    objects = applyPatchEntry(objects, patch, `${file} patches[${index}]`, dir);
  }
  for (const image of kustomization.images ?? []) objects.forEach((object) => setImage(object, image));
  if (kustomization.namespace !== undefined) {
    for (const object of objects) {
      if (!CLUSTER_SCOPED.has(object.kind)) object.metadata.namespace = kustomization.namespace;
    }
  }
  return objects;
}

function parseKustomization(file: string): Kustomization {
  const [document, ...rest] = parseAllDocuments(fs.readFileSync(file, 'utf8'));
  if (!document || rest.length > 0) throw new RenderError(`${file}: one YAML document expected`);
  const value: unknown = document.toJS();
  if (!isObject(value)) throw new RenderError(`${file}: not a mapping`);
  const unsupported = Object.keys(value).filter((key) => !SUPPORTED_KEYS.has(key));
  if (unsupported.length > 0) {
    throw new RenderError(`${file}: ${unsupported.join(', ')} not supported by deploy/k8s/render.ts`);
  }
  return value;
}

function applyPatchEntry(
  objects: K8sObject[],
  entry: NonNullable<Kustomization['patches']>[number],
  where: string,
  dir: string,
): K8sObject[] {
  const text =
    entry.patch ?? (entry.path ? fs.readFileSync(path.resolve(dir, entry.path), 'utf8') : undefined);
  if (text === undefined) throw new RenderError(`${where}: neither patch nor path`);
  if (!entry.target) throw new RenderError(`${where}: a JSON 6902 patch needs a target`);
  const [document] = parseAllDocuments(text);
  const operations: unknown = document?.toJS();
  if (!Array.isArray(operations)) {
    throw new RenderError(`${where}: only JSON 6902 patches (a list of operations) are supported`);
  }
  const target = entry.target;
  const matched = objects.filter((object) => matches(object, target));
  if (matched.length === 0)
    throw new RenderError(`${where}: the target ${JSON.stringify(target)} matches nothing`);
  return objects.map((object) => {
    if (!matched.includes(object)) return object;
    try {
      // validate: an op on a path that does not exist fails, as in Kustomize.
      return applyPatch(structuredClone(object), operations as Operation[], true, false).newDocument;
    } catch (error) {
      throw new RenderError(
        `${where} on ${object.kind}/${object.metadata.name}: ${(error as Error).message}`,
      );
    }
  });
}

function matches(object: K8sObject, target: PatchTarget): boolean {
  const [group, version] = object.apiVersion.includes('/')
    ? object.apiVersion.split('/')
    : ['', object.apiVersion];
  if (target.kind !== undefined && target.kind !== object.kind) return false;
  if (target.group !== undefined && target.group !== group) return false;
  if (target.version !== undefined && target.version !== version) return false;
  // Kustomize reads a target's name as an anchored regular expression.
  if (target.name !== undefined && !new RegExp(`^(?:${target.name})$`).test(object.metadata.name))
    return false;
  return true;
}

/** Kustomize's image transformer: containers and init containers of any pod template. */
function setImage(object: K8sObject, image: NonNullable<Kustomization['images']>[number]): void {
  for (const podSpec of podSpecs(object)) {
    for (const key of ['containers', 'initContainers'] as const) {
      const containers = podSpec[key];
      if (!Array.isArray(containers)) continue;
      for (const container of containers) {
        if (!isObject(container) || typeof container.image !== 'string') continue;
        const { name, tag } = splitImage(container.image);
        if (name !== image.name) continue;
        const newName = image.newName ?? name;
        container.image = image.digest
          ? `${newName}@${image.digest}`
          : `${newName}${image.newTag !== undefined ? `:${image.newTag}` : tag}`;
      }
    }
  }
}

function podSpecs(object: K8sObject): Record<string, unknown>[] {
  const spec = object.spec;
  if (!isObject(spec)) return [];
  const template =
    isObject(spec.jobTemplate) && isObject(spec.jobTemplate.spec)
      ? spec.jobTemplate.spec.template
      : spec.template;
  return isObject(template) && isObject(template.spec) ? [template.spec] : [];
}

function splitImage(image: string): { name: string; tag: string } {
  const at = image.indexOf('@');
  if (at >= 0) return { name: image.slice(0, at), tag: image.slice(at) };
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/')
    ? { name: image.slice(0, colon), tag: image.slice(colon) }
    : { name: image, tag: '' };
}

function assertUnique(objects: readonly K8sObject[], file: string): void {
  const seen = new Set<string>();
  for (const object of objects) {
    const id = `${object.apiVersion.split('/')[0]}/${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    if (seen.has(id)) throw new RenderError(`${file}: ${object.kind} ${object.metadata.name} appears twice`);
    seen.add(id);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
