import { isIP } from 'node:net';

import { z } from 'zod';

/**
 * A config field reads one environment variable: the input is the raw text (or undefined when
 * unset) and the output is the typed value. Every builder below returns one of these.
 */
export type EnvField<T> = z.ZodType<T, string | undefined>;

export interface FieldMeta {
  /** Redacted by `redactConfig` and never echoed in error messages. */
  readonly secret: boolean;
  /** Whether the field falls back to a built-in default when unset. */
  readonly hasDefault: boolean;
}

/**
 * Metadata lives in a registry rather than in the output type so that services read plain
 * strings and numbers from their config, while the loader can still tell which fields are
 * secrets when it reports errors or prints the config.
 */
export const fieldRegistry = z.registry<FieldMeta>();

type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(problem: string): Parsed<T> => ({ ok: false, problem });

interface FieldSpec<T> {
  readonly parse: (raw: string) => Parsed<T>;
  /** The default written as it would appear in the environment, so it passes the same parser. */
  readonly defaultRaw?: string | undefined;
  readonly optional?: boolean;
  readonly secret?: boolean;
}

function field<T>(spec: FieldSpec<T> & { readonly optional: true }): EnvField<T | undefined>;
function field<T>(spec: FieldSpec<T>): EnvField<T>;
function field<T>(spec: FieldSpec<T>): EnvField<T | undefined> {
  let parsedDefault: Parsed<T> | undefined;
  if (spec.defaultRaw !== undefined) {
    parsedDefault = spec.parse(spec.defaultRaw);
    // A bad default is a programming error in the schema, not a deployment problem, so it
    // fails as soon as the schema module is imported rather than at some later boot.
    if (!parsedDefault.ok) {
      throw new Error(`Invalid config default ${JSON.stringify(spec.defaultRaw)}: ${parsedDefault.problem}`);
    }
  }
  const schema = z
    .string()
    .optional()
    .transform((raw, ctx): T | undefined => {
      const result = raw === undefined ? parsedDefault : spec.parse(raw);
      if (result === undefined) {
        if (spec.optional === true) return undefined;
        ctx.addIssue({ code: 'custom', message: 'is required but not set' });
        return z.NEVER;
      }
      if (!result.ok) {
        ctx.addIssue({ code: 'custom', message: result.problem });
        return z.NEVER;
      }
      return result.value;
    });
  fieldRegistry.add(schema, { secret: spec.secret === true, hasDefault: parsedDefault !== undefined });
  return schema;
}

const DECIMAL_INTEGER = /^-?(0|[1-9][0-9]*)$/;

function parseInteger(raw: string, min: number, max: number, expects: string): Parsed<number> {
  if (!DECIMAL_INTEGER.test(raw)) return fail(expects);
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) return fail(expects);
  return ok(value);
}

function parsePort(raw: string): Parsed<number> {
  return parseInteger(raw, 1, 65_535, 'must be a port number between 1 and 65535');
}

// RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens.
const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

function isHost(host: string): boolean {
  if (isIP(host) !== 0) return true;
  // "300.1.1.1" matches the host-name grammar but is certainly a mistyped address.
  if (/^[0-9.]+$/.test(host)) return false;
  return HOSTNAME.test(host);
}

/** A TCP port, 1-65535. Port 0 (any free port) is refused: other processes must find the service. */
export function port(defaultPort?: number): EnvField<number> {
  return field({ parse: parsePort, defaultRaw: defaultPort === undefined ? undefined : String(defaultPort) });
}

export interface IntOptions {
  readonly min?: number;
  readonly max?: number;
  readonly default?: number;
}

/** A base-10 safe integer; "1e3", "0x10", "1.0" and " 5" are refused rather than coerced. */
export function int(options: IntOptions = {}): EnvField<number> {
  const min = options.min ?? Number.MIN_SAFE_INTEGER;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  const expects =
    options.min !== undefined && options.max !== undefined
      ? `must be an integer between ${min} and ${max}`
      : options.min !== undefined
        ? `must be an integer >= ${min}`
        : options.max !== undefined
          ? `must be an integer <= ${max}`
          : 'must be an integer';
  return field({
    parse: (raw) => parseInteger(raw, min, max, expects),
    defaultRaw: options.default === undefined ? undefined : String(options.default),
  });
}

/**
 * Only the four spellings below: "yes", "on" or "TRUE" are refused so that a typo such as
 * "flase" cannot silently read as either value.
 */
export function bool(defaultValue?: boolean): EnvField<boolean> {
  return field({
    parse: (raw) =>
      raw === 'true' || raw === '1'
        ? ok(true)
        : raw === 'false' || raw === '0'
          ? ok(false)
          : fail('must be one of true, false, 1, 0'),
    defaultRaw: defaultValue === undefined ? undefined : String(defaultValue),
  });
}

export function enumOf<const T extends readonly [string, ...string[]]>(
  values: T,
  defaultValue?: T[number],
): EnvField<T[number]> {
  const allowed: readonly string[] = values;
  return field({
    parse: (raw) =>
      allowed.includes(raw) ? ok(raw as T[number]) : fail(`must be one of ${values.join(', ')}`),
    defaultRaw: defaultValue,
  });
}

export interface UrlOptions {
  /** Accepted schemes with or without the trailing colon, e.g. ['postgres:', 'postgresql:']. */
  readonly protocols?: readonly string[];
  readonly default?: string;
  /** Unset means undefined instead of an error (e.g. an optional exporter endpoint). */
  readonly optional?: boolean;
}

/** The value stays the original string: drivers take strings and `URL#href` can alter them. */
export function url(options: UrlOptions & { readonly optional: true }): EnvField<string | undefined>;
export function url(options?: UrlOptions): EnvField<string>;
export function url(options: UrlOptions = {}): EnvField<string | undefined> {
  const protocols = (options.protocols ?? []).map((p) => (p.endsWith(':') ? p : `${p}:`).toLowerCase());
  const expects =
    protocols.length === 0 ? 'must be a URL' : `must be a ${protocols.map((p) => `${p}//`).join(' or ')} URL`;
  return field({
    parse: (raw) => {
      let parsed: URL;
      try {
        parsed = new URL(raw);
      } catch {
        return fail(expects);
      }
      if (protocols.length > 0 && !protocols.includes(parsed.protocol)) return fail(expects);
      return ok(raw);
    },
    defaultRaw: options.default,
    optional: options.optional === true,
  });
}

/** A host name or IP address to bind or connect to, e.g. "127.0.0.1", "::" or "db.internal". */
export function host(defaultHost?: string): EnvField<string> {
  return field({
    parse: (raw) => (isHost(raw) ? ok(raw) : fail('must be a host name or IP address')),
    defaultRaw: defaultHost,
  });
}

function parseBroker(entry: string): string | undefined {
  const match = /^(\[[^\]]+\]|[^:]+):([^:]+)$/.exec(entry);
  if (match === null) return 'is not host:port';
  const [, hostPart = '', portPart = ''] = match;
  const bare = hostPart.startsWith('[') ? hostPart.slice(1, -1) : hostPart;
  if (hostPart.startsWith('[') ? isIP(bare) !== 6 : !isHost(bare)) return 'has an invalid host';
  if (!parsePort(portPart).ok) return 'has an invalid port';
  return undefined;
}

/**
 * Kafka bootstrap servers as "host:port,host:port" (IPv6 as "[::1]:9092"); the value is the
 * list, which is what kafkajs takes. Blanks around commas are tolerated because people write
 * them in YAML, empty entries are not because they usually mean a variable expanded to nothing.
 */
export function brokers(defaultBrokers = '127.0.0.1:9092'): EnvField<readonly string[]> {
  const expects = 'must be a comma-separated list of host:port';
  return field({
    parse: (raw) => {
      const entries = raw.split(',').map((entry) => entry.trim());
      for (const [index, entry] of entries.entries()) {
        if (entry === '') return fail(`${expects}; entry ${index + 1} is empty`);
        const problem = parseBroker(entry);
        if (problem !== undefined)
          return fail(`${expects}; entry ${index + 1} ${JSON.stringify(entry)} ${problem}`);
      }
      return ok(entries);
    },
    defaultRaw: defaultBrokers,
  });
}

const DURATION_UNITS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export interface DurationOptions {
  /** Bounds in milliseconds. */
  readonly min?: number;
  readonly max?: number;
}

/**
 * A duration with a unit ("500ms", "30s", "5m", "1h", "1d"), read as milliseconds. A bare
 * number is refused: "30" meaning 30 ms to one reader and 30 s to another is how timeouts end
 * up a thousand times wrong. A numeric default is taken as milliseconds.
 */
export function duration(defaultValue?: string | number, options: DurationOptions = {}): EnvField<number> {
  const expects = 'must be a duration such as 500ms, 30s, 5m, 1h or 1d';
  const min = options.min ?? 0;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  return field({
    parse: (raw) => {
      const match = /^(0|[1-9][0-9]*)(ms|s|m|h|d)$/.exec(raw);
      if (match === null) return fail(expects);
      const [, amount = '', unit = 'ms'] = match;
      const ms = Number(amount) * DURATION_UNITS[unit as keyof typeof DURATION_UNITS];
      if (!Number.isSafeInteger(ms) || ms < min || ms > max) {
        return fail(`must be a duration between ${min}ms and ${max}ms`);
      }
      return ok(ms);
    },
    defaultRaw: typeof defaultValue === 'number' ? `${defaultValue}ms` : defaultValue,
  });
}

export interface StrOptions {
  readonly default?: string;
  readonly optional?: boolean;
  readonly pattern?: RegExp;
  /** The message when `pattern` does not match, e.g. 'must be lowercase kebab-case'. */
  readonly hint?: string;
}

export function str(options: StrOptions & { readonly optional: true }): EnvField<string | undefined>;
export function str(options?: StrOptions): EnvField<string>;
export function str(options: StrOptions = {}): EnvField<string | undefined> {
  const { pattern } = options;
  return field({
    parse: (raw) =>
      pattern === undefined || pattern.test(raw)
        ? ok(raw)
        : fail(options.hint ?? `must match ${String(pattern)}`),
    defaultRaw: options.default,
    optional: options.optional === true,
  });
}

/**
 * A credential (password, API key, signing secret). Never printed: `redactConfig` shows "***"
 * and error messages leave out its value. The default exists so a developer machine boots
 * without setup; `loadConfig` refuses to use it when NODE_ENV=production, because a known
 * development secret in production is worse than a failed boot.
 */
export function secret(developmentDefault?: string): EnvField<string>;
/** A credential only some deployments have (e.g. KAFKA_SASL_PASSWORD): unset is undefined. */
export function secret(options: { readonly optional: true }): EnvField<string | undefined>;
export function secret(
  arg?: string | { readonly optional: true },
): EnvField<string> | EnvField<string | undefined> {
  if (typeof arg === 'object') return field({ parse: ok, optional: true, secret: true });
  return field({ parse: ok, defaultRaw: arg, secret: true });
}

/** Finds the metadata of a builder's field even if a service wrapped it (e.g. `.optional()`). */
export function fieldMetaOf(schema: z.core.$ZodType): FieldMeta | undefined {
  const own = fieldRegistry.get(schema);
  if (own !== undefined) return own;
  const def = schema._zod.def as unknown as Record<string, unknown>;
  for (const key of ['innerType', 'in', 'out']) {
    const child = def[key];
    if (child instanceof z.core.$ZodType) {
      const found = fieldMetaOf(child);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
