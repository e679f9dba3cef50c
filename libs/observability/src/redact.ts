import { EventEmitter } from 'node:events';

/** What a redacted value is replaced with in a log line. */
export const REDACTED = '[redacted]';

/**
 * Field names (lower case, without `-` and `_`) whose values never reach a log: credentials the
 * gateway and services handle (headers, passwords, tokens, keys) and personal data of customers
 * (PIPL): tax ids, phones, e-mail addresses, contacts, street lines, postcodes.
 */
const SECRET_NAMES = new Set([
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'xapikey',
  'xduemapidentity',
  'password',
  'passwd',
  'token',
  'secret',
  'key',
  'apikey',
  'privatekey',
  'clientsecret',
]);
const PERSONAL_NAMES = new Set([
  'taxid',
  'phone',
  'phones',
  'mobile',
  'email',
  'emails',
  'contacts',
  'contact',
  'line1',
  'line2',
  'postcode',
  'postalcode',
]);
/** Suffixes that make a compound name a secret: accessToken, refresh_token, dbPassword, clientSecret, apiKey. */
const SECRET_SUFFIXES = ['password', 'token', 'secret', 'apikey', 'privatekey'];

/**
 * Top-level names for pino's own `redact` (exact paths), which is what reaches a child logger's
 * bindings: pino does not run `formatters.bindings` for children.
 */
export const REDACTED_BINDING_PATHS: readonly string[] = [
  ...[...SECRET_NAMES, ...PERSONAL_NAMES],
  'apiKey',
  'accessToken',
  'refreshToken',
  'clientSecret',
  'privateKey',
  'taxId',
  'postCode',
  'x-api-key',
  'set-cookie',
  'x-duemap-identity',
].map((name) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : `["${name}"]`));

/** Whether a field of this name is never logged. */
export function isRedactedField(name: string): boolean {
  const normal = name.toLowerCase().replace(/[-_]/g, '');
  if (SECRET_NAMES.has(normal) || PERSONAL_NAMES.has(normal)) return true;
  return SECRET_SUFFIXES.some((suffix) => normal.endsWith(suffix));
}

// Log objects are small; the bound only stops a pathological (or cyclic) structure from costing
// the process more than the line is worth.
const MAX_DEPTH = 8;

/**
 * Plain objects, arrays and instances of ordinary classes (DTOs, entities) are walked. Errors are
 * left to pino's serializer; requests, responses and sockets (event emitters) to theirs, since
 * copying one would both cost and lose its prototype's getters; dates, buffers and collections are
 * kept as they are.
 */
function isWalked(value: object): boolean {
  return !(
    value instanceof Error ||
    value instanceof EventEmitter ||
    value instanceof Date ||
    value instanceof Map ||
    value instanceof Set ||
    ArrayBuffer.isView(value)
  );
}

/**
 * A copy of `value` with every field named by isRedactedField replaced by REDACTED, at any depth
 * (pino's own `redact` takes fixed paths, and a logged DTO or headers object can put these fields
 * anywhere). Unchanged parts are shared, not copied, and a value with nothing to redact is
 * returned as is.
 */
export function redactDeep(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (!isWalked(value)) return value;
  if (seen.has(value)) return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const next = redactDeep(item, depth + 1, seen);
      if (next !== item) {
        copy ??= value.slice();
        copy[i] = next;
      }
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  const record = value as Record<string, unknown>;
  for (const name of Object.keys(record)) {
    const item = record[name];
    const next = isRedactedField(name) && item !== undefined ? REDACTED : redactDeep(item, depth + 1, seen);
    if (next !== item) {
      copy ??= { ...record };
      copy[name] = next;
    }
  }
  return copy ?? value;
}
