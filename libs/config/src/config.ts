import { inspect } from 'node:util';

import { z } from 'zod';

import { ConfigError, type ConfigIssue } from './config.error';
import { fieldMetaOf } from './fields';

/** Where values come from; `process.env` fits, and so does a plain object in tests. */
export type EnvSource = Readonly<Record<string, string | undefined>>;

export type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** Any object schema of config fields; `platformConfig.extend({...})` and `defineConfig` give one. */
export type ConfigSchema = z.ZodObject<z.core.$ZodShape>;

/** The typed, frozen object `loadConfig` returns for a schema. */
export type ConfigOf<S extends z.ZodType> = DeepReadonly<z.output<S>>;

export interface LoadConfigOptions {
  /**
   * Names the service in error messages and is the default of SERVICE_NAME and KAFKA_CLIENT_ID
   * when the schema has them, so one service name is all a developer machine needs.
   */
  readonly service?: string;
}

const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;
const REDACTED = '***';

/**
 * Names that are redacted even when a service declared them with `str()` instead of
 * `secret()`: forgetting the marker must not be enough to leak a credential into a log.
 */
const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE_KEY|API_KEY|CREDENTIAL)/;

const secretKeysByConfig = new WeakMap<object, ReadonlySet<string>>();

function assertEnvNames(keys: readonly string[]): void {
  const bad = keys.filter((key) => !ENV_NAME.test(key));
  if (bad.length > 0) {
    throw new Error(`Config keys must be UPPER_SNAKE environment variable names: ${bad.join(', ')}`);
  }
}

/**
 * A service's config schema. Services usually start from `platformConfig.extend({...})`; this is
 * for schemas that do not need the platform fields (tools, scripts) and checks that every key
 * is an environment variable name, since the key is the variable that is read.
 */
export function defineConfig<const T extends z.core.$ZodLooseShape>(
  shape: T,
): z.ZodObject<z.core.util.Writeable<T>> {
  assertEnvNames(Object.keys(shape));
  return z.object(shape);
}

function secretKeysOf(schema: ConfigSchema): ReadonlySet<string> {
  const keys = new Set<string>();
  for (const [key, field] of Object.entries(schema.shape)) {
    if (fieldMetaOf(field)?.secret === true || SECRET_NAME.test(key)) keys.add(key);
  }
  return keys;
}

/** Credentials inside URLs (postgres://user:password@host) are as secret as a `secret()`. */
function maskUrlPassword(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@/?#\s]*@/i, `$1${REDACTED}@`);
}

function shown(value: string): string {
  const masked = maskUrlPassword(value);
  return JSON.stringify(masked.length > 80 ? `${masked.slice(0, 80)}…` : masked);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * Reads and validates the schema's variables from `env`. Returns a deeply frozen object or throws
 * a `ConfigError` listing every problem at once.
 *
 * An empty or blank variable counts as unset, because `FOO=` in a .env file or a templated
 * manifest almost always means "no value" rather than "the empty string".
 */
export function loadConfig<S extends ConfigSchema>(
  schema: S,
  env: EnvSource = process.env,
  options: LoadConfigOptions = {},
): ConfigOf<S> {
  const keys = Object.keys(schema.shape);
  assertEnvNames(keys);
  const namedInEnv = env['SERVICE_NAME']?.trim();
  const service = options.service ?? (namedInEnv === undefined || namedInEnv === '' ? 'unknown' : namedInEnv);

  const source: Record<string, string | undefined> = {};
  for (const key of keys) {
    const value = env[key];
    source[key] = value === undefined || value.trim() === '' ? undefined : value;
  }
  if ('SERVICE_NAME' in source && source['SERVICE_NAME'] === undefined) {
    source['SERVICE_NAME'] = options.service;
  }
  // The client id follows SERVICE_NAME, so that a renamed deployment ("customers-eu") shows up
  // under its own name in broker logs and quotas.
  if ('KAFKA_CLIENT_ID' in source && source['KAFKA_CLIENT_ID'] === undefined) {
    source['KAFKA_CLIENT_ID'] = source['SERVICE_NAME'] ?? options.service;
  }

  const secretKeys = secretKeysOf(schema);
  const issues: ConfigIssue[] = [];
  const result = schema.safeParse(source);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = issue.path.length === 0 ? '(config)' : issue.path.map(String).join('.');
      const raw = source[key];
      const got = raw === undefined || secretKeys.has(key) ? '' : ` (got ${shown(raw)})`;
      issues.push({ key, message: `${issue.message}${got}` });
    }
  }
  if (env['NODE_ENV'] === 'production') {
    for (const [key, field] of Object.entries(schema.shape)) {
      const meta = fieldMetaOf(field);
      if (meta?.secret === true && meta.hasDefault && source[key] === undefined) {
        issues.push({ key, message: 'must be set in production (its default is for development only)' });
      }
    }
  }
  if (!result.success || issues.length > 0) {
    const order = new Map(keys.map((key, index) => [key, index]));
    issues.sort((a, b) => (order.get(a.key) ?? keys.length) - (order.get(b.key) ?? keys.length));
    throw new ConfigError(service, issues);
  }

  const config = result.data as Record<string, unknown>;
  secretKeysByConfig.set(config, secretKeys);
  // Logging the config object (pino, console.log, JSON.stringify) must not leak secrets, so the
  // object redacts itself; these properties are not enumerable and do not show up in its type.
  Object.defineProperty(config, 'toJSON', { value: () => redactConfig(config), enumerable: false });
  Object.defineProperty(config, inspect.custom, { value: () => redactConfig(config), enumerable: false });
  return deepFreeze(config) as ConfigOf<S>;
}

/**
 * A copy that is safe to log: secrets become "***" and passwords inside URLs are masked. Which
 * keys are secret is known for configs from `loadConfig`; pass the schema for any other object.
 * Keys whose names look like credentials are redacted in every case.
 */
export function redactConfig(config: object, schema?: ConfigSchema): Record<string, unknown> {
  const secretKeys = schema === undefined ? secretKeysByConfig.get(config) : secretKeysOf(schema);
  const redacted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (secretKeys?.has(key) === true || SECRET_NAME.test(key)) {
      redacted[key] = value === undefined ? undefined : REDACTED;
    } else if (typeof value === 'string') {
      redacted[key] = maskUrlPassword(value);
    } else if (Array.isArray(value)) {
      redacted[key] = value.map((item: unknown) => (typeof item === 'string' ? maskUrlPassword(item) : item));
    } else {
      redacted[key] = value;
    }
  }
  return redacted;
}

function formatValue(value: unknown): string {
  if (value === undefined) return '(unset)';
  if (Array.isArray(value)) return value.map(formatValue).join(',');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value) ?? typeof value;
}

/** One `KEY=value` line per field, redacted, for a boot log line or `--print-config`. */
export function describeConfig(config: object, schema?: ConfigSchema): string {
  return Object.entries(redactConfig(config, schema))
    .map(([key, value]) => `${key}=${formatValue(value)}`)
    .join('\n');
}
