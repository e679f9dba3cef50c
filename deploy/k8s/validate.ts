/**
 * Validates rendered Kubernetes objects offline, as strictly as an API server with
 * `--validate=strict` would: each object is walked along the TypeScript type of its kind in
 * kinds.ts (Kubernetes' and KEDA's generated from their OpenAPI by `kubernetes-models`; Strimzi's
 * and CloudNativePG's the fields we use), so an unknown or misspelt field, a missing required one
 * or a value of the wrong type or outside an enumeration is an error; Kubernetes' own kinds and
 * KEDA's are then also checked by the models' JSON Schema validators (formats such as int32).
 */
import path from 'node:path';

import ts from 'typescript';

import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';

import type { K8sObject } from './render';

export interface ValidationError {
  /** `Deployment/payments` */
  object: string;
  /** JSON pointer of the offending field, e.g. `/spec/template/spec/containers/0/readinesProbe`. */
  path: string;
  message: string;
}

interface Model {
  validate(): void;
}

/** Kubernetes' and KEDA's kinds -> their model, whose validate() runs the JSON Schema of the kind. */
const MODELS: Readonly<Record<string, new (data: never) => Model>> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'batch/v1/Job': Job,
  'networking.k8s.io/v1/Ingress': Ingress,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
};

export class ManifestValidator {
  private readonly checker: ts.TypeChecker;
  private readonly kinds: ts.Type;

  constructor() {
    const file = path.join(__dirname, 'kinds.ts');
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      target: ts.ScriptTarget.ES2022,
      types: [],
    });
    this.checker = program.getTypeChecker();
    const source = program.getSourceFile(file);
    const declaration = source?.statements.find(
      (statement): statement is ts.InterfaceDeclaration =>
        ts.isInterfaceDeclaration(statement) && statement.name.text === 'Kinds',
    );
    if (!declaration) throw new Error(`${file} declares no Kinds interface`);
    this.kinds = this.checker.getTypeAtLocation(declaration);
    const unresolved = this.kindNames().filter((kind) => this.typeOfKind(kind)?.flags === ts.TypeFlags.Any);
    if (unresolved.length > 0) throw new Error(`types of ${unresolved.join(', ')} did not resolve`);
  }

  /** `apiVersion/kind` of every kind a manifest may have. */
  kindNames(): string[] {
    return this.checker.getPropertiesOfType(this.kinds).map((symbol) => symbol.name);
  }

  validate(object: K8sObject): ValidationError[] {
    const kind = `${object.apiVersion}/${object.kind}`;
    const name = `${object.kind}/${object.metadata.name}`;
    const type = this.typeOfKind(kind);
    if (!type)
      return [{ object: name, path: '', message: `unknown kind ${kind} (not in deploy/k8s/kinds.ts)` }];
    const errors: ValidationError[] = [];
    this.walk(object, type, '', (pointer, message) => errors.push({ object: name, path: pointer, message }));
    const model = MODELS[kind];
    if (model) {
      try {
        new model(object as never).validate();
      } catch (error) {
        const found = (error as { errors?: { instancePath?: string; message?: string }[] }).errors;
        for (const item of found ?? [{ message: (error as Error).message }]) {
          errors.push({
            object: name,
            path: item.instancePath ?? '',
            message: item.message ?? String(error),
          });
        }
      }
    }
    return errors;
  }

  private typeOfKind(kind: string): ts.Type | undefined {
    const symbol = this.kinds.getProperty(kind);
    return symbol ? this.checker.getTypeOfSymbol(symbol) : undefined;
  }

  private walk(
    value: unknown,
    type: ts.Type,
    pointer: string,
    report: (pointer: string, message: string) => void,
  ): void {
    const flags = type.flags;
    if (flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
    if (type.isUnion()) {
      const members = type.types.filter(
        (member) => !(member.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)),
      );
      if (value === null && members.length < type.types.length) return;
      const attempts = members.map((member) => {
        const found: [string, string][] = [];
        this.walk(value, member, pointer, (at, message) => found.push([at, message]));
        return found;
      });
      if (attempts.some((found) => found.length === 0)) return;
      // Report what the closest member found (an object against an object type, say).
      const closest = attempts.reduce((best, found) => (found.length < best.length ? found : best));
      const shallow = closest.every(([at]) => at === pointer);
      if (shallow)
        report(
          pointer,
          `must be ${members.map((member) => this.checker.typeToString(member)).join(' | ')}, not ${JSON.stringify(value)}`,
        );
      else closest.forEach(([at, message]) => report(at, message));
      return;
    }
    if (type.isStringLiteral() || type.isNumberLiteral() || flags & ts.TypeFlags.BooleanLiteral) {
      const expected =
        type.isStringLiteral() || type.isNumberLiteral()
          ? type.value
          : this.checker.typeToString(type) === 'true';
      if (value !== expected)
        report(pointer, `must be ${JSON.stringify(expected)}, not ${JSON.stringify(value)}`);
      return;
    }
    if (flags & ts.TypeFlags.String)
      return void (
        typeof value !== 'string' && report(pointer, `must be a string, not ${JSON.stringify(value)}`)
      );
    if (flags & ts.TypeFlags.Number)
      return void (
        typeof value !== 'number' && report(pointer, `must be a number, not ${JSON.stringify(value)}`)
      );
    if (flags & ts.TypeFlags.Boolean)
      return void (
        typeof value !== 'boolean' && report(pointer, `must be true or false, not ${JSON.stringify(value)}`)
      );
    if (this.checker.isArrayType(type)) {
      if (!Array.isArray(value)) return report(pointer, 'must be a list');
      const [element] = this.checker.getTypeArguments(type as ts.TypeReference);
      if (element) value.forEach((item, index) => this.walk(item, element, `${pointer}/${index}`, report));
      return;
    }
    if (flags & ts.TypeFlags.Object || type.isIntersection()) {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return report(pointer, 'must be a mapping');
      const record = value as Record<string, unknown>;
      const index = this.checker.getIndexInfoOfType(type, ts.IndexKind.String);
      for (const [key, item] of Object.entries(record)) {
        const at = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        const property = type.getProperty(key);
        if (property) this.walk(item, this.checker.getTypeOfSymbol(property), at, report);
        else if (index) this.walk(item, index.type, at, report);
        else report(at, `unknown field "${key}"`);
      }
      for (const property of this.checker.getPropertiesOfType(type)) {
        if (!(property.flags & ts.SymbolFlags.Optional) && !(property.name in record)) {
          report(`${pointer}/${property.name}`, 'required field missing');
        }
      }
      return;
    }
    report(pointer, `cannot check against ${this.checker.typeToString(type)}`);
  }
}
