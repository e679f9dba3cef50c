import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ALL_TOPICS_WITH_DLQ } from '@duemap/events';

import { TOPIC_CONFIG } from '../../local/topics';
import { staleFiles } from '../generate';
import { SECRETS_NAME, SERVICES } from '../manifests';
import { RenderError, renderKustomization, type K8sObject } from '../render';
import { ManifestValidator } from '../validate';

const K8S = path.join(__dirname, '..');
const OVERLAYS = ['dev', 'production'] as const;
/** Secrets an overlay expects the operator to create (README, "Run it on Kubernetes"). */
const EXTERNAL_SECRETS: Record<(typeof OVERLAYS)[number], string[]> = {
  dev: [],
  production: [SECRETS_NAME, 'duemap-backup-s3', 'duemap-tls'],
};

type Json = Record<string, unknown>;
const at = (value: unknown, ...keys: (string | number)[]): unknown =>
  keys.reduce<unknown>(
    (current, key) => (current as Record<string | number, unknown> | undefined)?.[key],
    value,
  );
const ofKind = (objects: K8sObject[], kind: string) => objects.filter((object) => object.kind === kind);

let validator: ManifestValidator;
const rendered = new Map<string, K8sObject[]>();

beforeAll(() => {
  validator = new ManifestValidator(); // compiles kinds.ts against the model packages: a few seconds
  for (const overlay of OVERLAYS)
    rendered.set(overlay, renderKustomization(path.join(K8S, 'overlays', overlay)));
}, 60_000);

describe('deploy/k8s', () => {
  it('base/generated/ is what npm run k8s:generate writes from the code', () => {
    expect(staleFiles()).toEqual([]);
  });

  describe.each(OVERLAYS)('overlay %s', (overlay) => {
    const objects = (): K8sObject[] => rendered.get(overlay) ?? [];

    it('renders, and every object is valid against the schema of its kind', () => {
      expect(objects().length).toBeGreaterThan(50);
      const errors = objects().flatMap((object) => validator.validate(object));
      expect(errors).toEqual([]);
      const namespaces = new Set(
        objects()
          .filter((o) => o.kind !== 'Namespace')
          .map((o) => o.metadata.namespace),
      );
      expect([...namespaces]).toEqual([overlay === 'dev' ? 'duemap-dev' : 'duemap']);
    });

    it('has one KafkaTopic per topic of libs/events/src/topics.ts and per .dlq twin, with its retention', () => {
      const topics = ofKind(objects(), 'KafkaTopic');
      expect(topics.map((topic) => at(topic, 'spec', 'topicName')).sort()).toEqual(
        [...ALL_TOPICS_WITH_DLQ].sort(),
      );
      for (const topic of topics) {
        expect(at(topic, 'metadata', 'labels', 'strimzi.io/cluster')).toBe('duemap');
        expect(at(topic, 'spec', 'config')).toMatchObject(TOPIC_CONFIG);
      }
      const partitions = new Set(topics.map((topic) => at(topic, 'spec', 'partitions')));
      expect(partitions.size).toBe(1);
      const config = ofKind(objects(), 'ConfigMap').find((map) => map.metadata.name === 'duemap-config');
      expect(Number(at(config, 'data', 'KAFKA_PARTITIONS'))).toBe([...partitions][0]);
    });

    it('runs every service with probes, resources, a PDB, a Service and a migration Job; scales consumers on their lag', () => {
      const partitions = Number(at(ofKind(objects(), 'KafkaTopic')[0], 'spec', 'partitions'));
      for (const spec of SERVICES) {
        const deployment = ofKind(objects(), 'Deployment').find(
          (object) => object.metadata.name === spec.name,
        );
        const container = at(deployment, 'spec', 'template', 'spec', 'containers', 0) as Json;
        expect(at(container, 'readinessProbe', 'httpGet', 'path')).toBe('/health');
        expect(at(container, 'livenessProbe', 'httpGet', 'path')).toBe('/health/live');
        expect(at(container, 'resources', 'requests', 'cpu')).toBeDefined();
        expect(at(container, 'resources', 'limits', 'memory')).toBeDefined();
        const templateLabels = at(deployment, 'spec', 'template', 'metadata', 'labels') as Json;
        const selects = (selector: unknown) =>
          Object.entries(selector as Json).every(([key, value]) => templateLabels[key] === value);
        const pdb = ofKind(objects(), 'PodDisruptionBudget').find(
          (object) => object.metadata.name === spec.name,
        );
        expect(selects(at(pdb, 'spec', 'selector', 'matchLabels'))).toBe(true);
        const service = ofKind(objects(), 'Service').find((object) => object.metadata.name === spec.name);
        expect(selects(at(service, 'spec', 'selector'))).toBe(true);
        const job = ofKind(objects(), 'Job').find(
          (object) => object.metadata.name === `${spec.name}-migrate`,
        );
        const jobLabels = at(job, 'spec', 'template', 'metadata', 'labels') as Json;
        // The Service and the PDB do not pick the migration's pod.
        expect(
          Object.entries(at(service, 'spec', 'selector') as Json).every(([k, v]) => jobLabels[k] === v),
        ).toBe(false);
        expect(at(job, 'spec', 'template', 'spec', 'containers', 0, 'image')).toBe(at(container, 'image'));

        const scaled = ofKind(objects(), 'ScaledObject').find((object) => object.metadata.name === spec.name);
        expect(at(scaled, 'spec', 'scaleTargetRef', 'name')).toBe(spec.name);
        const triggers = at(scaled, 'spec', 'triggers') as Json[];
        const kafka = triggers.find((trigger) => trigger.type === 'kafka');
        if (spec.consumer) {
          expect(at(kafka, 'metadata', 'consumerGroup')).toBe(spec.name);
          expect(at(kafka, 'metadata', 'bootstrapServers')).toBe('duemap-kafka-bootstrap:9092');
          // More consumers of a group than partitions would sit idle.
          expect(at(scaled, 'spec', 'maxReplicaCount')).toBeLessThanOrEqual(partitions);
        } else {
          expect(kafka).toBeUndefined();
        }
        if (spec.cpuScaled) expect(triggers.some((trigger) => trigger.type === 'cpu')).toBe(true);

        const database = ofKind(objects(), 'Cluster').find(
          (object) => object.metadata.name === `${spec.name}-db`,
        );
        expect(at(database, 'spec', 'bootstrap', 'initdb', 'database')).toBe(`duemap_${spec.name}`);
      }
    });

    it('refers only to ConfigMaps, Secrets and Services that exist or that the operator creates', () => {
      const names = (kind: string) => new Set(ofKind(objects(), kind).map((object) => object.metadata.name));
      const secrets = new Set([
        ...names('Secret'),
        ...EXTERNAL_SECRETS[overlay],
        // CloudNativePG writes `<cluster>-app` for each Cluster.
        ...[...names('Cluster')].map((cluster) => `${cluster}-app`),
      ]);
      const text = JSON.stringify(objects());
      const refs = (key: string) =>
        [...text.matchAll(new RegExp(`"${key}":\\{"name":"([^"]+)"`, 'g'))].map((m) => m[1]);
      for (const name of [...refs('secretKeyRef'), ...refs('secretRef'), ...refs('accessKeyId')])
        expect(secrets).toContain(name);
      for (const name of refs('configMapRef')) expect(names('ConfigMap')).toContain(name);
      const ingress = ofKind(objects(), 'Ingress')[0];
      expect(names('Service')).toContain(
        at(ingress, 'spec', 'rules', 0, 'http', 'paths', 0, 'backend', 'service', 'name'),
      );
      for (const backup of ofKind(objects(), 'ScheduledBackup'))
        expect(names('Cluster')).toContain(at(backup, 'spec', 'cluster', 'name'));
    });
  });

  it('production archives every database WAL continuously and takes nightly base backups', () => {
    const objects = rendered.get('production') ?? [];
    for (const cluster of ofKind(objects, 'Cluster')) {
      expect(at(cluster, 'spec', 'instances')).toBe(3);
      expect(at(cluster, 'spec', 'backup', 'barmanObjectStore', 'destinationPath')).toMatch(/^s3:\/\//);
    }
    expect(ofKind(objects, 'ScheduledBackup')).toHaveLength(SERVICES.length);
  });

  describe('refuses what a cluster would refuse', () => {
    const deployment = (): K8sObject =>
      structuredClone(ofKind(rendered.get('dev') ?? [], 'Deployment')[0] as K8sObject);

    it('a misspelt field', () => {
      const object = deployment();
      const container = at(object, 'spec', 'template', 'spec', 'containers', 0) as Json;
      container.readinesProbe = container.readinessProbe;
      expect(validator.validate(object)).toEqual([
        expect.objectContaining({
          path: '/spec/template/spec/containers/0/readinesProbe',
          message: 'unknown field "readinesProbe"',
        }),
      ]);
    });

    it('a value of the wrong type or format, and a missing required field', () => {
      const object = deployment();
      const spec = object.spec as Json;
      spec.replicas = 1.5;
      (at(spec, 'template', 'spec', 'containers', 0, 'ports', 0) as Json).containerPort = '8080';
      delete (at(spec, 'template', 'spec', 'containers', 0) as Json).name;
      const paths = validator.validate(object).map((error) => error.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          '/spec/replicas',
          '/spec/template/spec/containers/0/ports/0/containerPort',
          '/spec/template/spec/containers/0/name',
        ]),
      );
    });

    it('custom resources: an unknown Strimzi field, a CloudNativePG enum value, a KEDA trigger without metadata', () => {
      const dev = rendered.get('dev') ?? [];
      const topic = structuredClone(ofKind(dev, 'KafkaTopic')[0] as K8sObject);
      (topic.spec as Json).partition = 3;
      expect(validator.validate(topic)).toEqual([expect.objectContaining({ path: '/spec/partition' })]);
      const cluster = structuredClone(ofKind(dev, 'Cluster')[0] as K8sObject);
      (cluster.spec as Json).primaryUpdateStrategy = 'sometimes';
      expect(validator.validate(cluster)).toEqual([
        expect.objectContaining({ path: '/spec/primaryUpdateStrategy' }),
      ]);
      const scaled = structuredClone(ofKind(dev, 'ScaledObject')[0] as K8sObject);
      delete (at(scaled, 'spec', 'triggers', 0) as Json).metadata;
      expect(validator.validate(scaled).map((error) => error.path)).toContain('/spec/triggers/0/metadata');
      expect(
        validator.validate({ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'x' } }),
      ).toEqual([expect.objectContaining({ message: expect.stringContaining('unknown kind') })]);
    });

    it('a kustomization using what the renderer does not implement, or a patch that matches nothing', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duemap-k8s-'));
      try {
        fs.writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources: []\ncommonLabels: { a: b }\n');
        expect(() => renderKustomization(dir)).toThrow(
          new RenderError(`${dir}/kustomization.yaml: commonLabels not supported by deploy/k8s/render.ts`),
        );
        fs.writeFileSync(
          path.join(dir, 'kustomization.yaml'),
          `resources: [${path.join(K8S, 'base')}]\npatches:\n  - target: { kind: Deployment, name: nobody }\n    patch: '[{op: replace, path: /spec/replicas, value: 1}]'\n`,
        );
        expect(() => renderKustomization(dir)).toThrow(/matches nothing/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
