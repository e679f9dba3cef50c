import type { IncomingMessage } from 'node:http';
import { matchOperation, type Identity, type Permission, type Role } from '@duemap/auth';
import { LRUCache } from 'lru-cache';
import type { Denial } from '../access/gateway-access';
import { API_KEY_HEADER, apiKeyOf, parseApiKey, secretMatches } from './api-key-credential';
import { sourceRefusal } from './api-key-grant';

/** What admission needs of a key's row. */
export interface ApiKeyRecord {
  id: string;
  secretHash: Buffer;
  roles: Role[];
  scope: Permission[] | null;
  sources: string[] | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface ApiKeyLookup {
  find(id: string): Promise<ApiKeyRecord | null>;
  /** Records that the key was used now. */
  touch(id: string): Promise<void>;
}

export interface ApiKeyAuthenticatorOptions {
  /**
   * How long a key's row is reused before it is read again (at most 5 s). A revocation made
   * through this gateway instance takes effect at once (forget); other instances see it within
   * this time.
   */
  cacheTtlMs?: number;
  cacheMax?: number;
  /** last_used_at is written at most once per this many ms per key and instance. */
  touchIntervalMs?: number;
  now?: () => number;
  onTouchError?: (err: unknown) => void;
}

export const MAX_CACHE_TTL_MS = 5000;

const REALM = { 'www-authenticate': 'ApiKey realm="duemap"' };

function unauthenticated(message: string): Denial {
  return { status: 401, code: 'UNAUTHENTICATED', message, headers: REALM };
}

/** The cached answer of the lookup; lru-cache keeps no null, and an unknown id is worth caching too. */
interface Cached {
  record: ApiKeyRecord | null;
}

/**
 * Admission by API key: the key's row looked up by its id, the secret's hash compared in constant
 * time, refused when revoked, expired or unknown. Rows are cached for a few seconds so that a busy
 * connector costs no database round trip per request.
 */
export class ApiKeyAuthenticator {
  private readonly cache: LRUCache<string, Cached>;
  private readonly touched: LRUCache<string, number>;
  private readonly touchIntervalMs: number;
  private readonly now: () => number;
  private readonly onTouchError: (err: unknown) => void;

  constructor(
    private readonly lookup: ApiKeyLookup,
    options: ApiKeyAuthenticatorOptions = {},
  ) {
    const ttl = options.cacheTtlMs ?? MAX_CACHE_TTL_MS;
    if (ttl <= 0 || ttl > MAX_CACHE_TTL_MS) {
      throw new Error(`API key cache TTL must be within 1..${MAX_CACHE_TTL_MS} ms, not ${ttl}`);
    }
    this.now = options.now ?? Date.now;
    this.cache = new LRUCache<string, Cached>({
      max: options.cacheMax ?? 10_000,
      ttl,
      perf: { now: this.now },
      // Read the clock on every look-up rather than once per millisecond (a fake clock in tests).
      ttlResolution: 0,
      fetchMethod: async (id) => ({ record: await this.lookup.find(id) }),
    });
    this.touched = new LRUCache<string, number>({ max: options.cacheMax ?? 10_000 });
    this.touchIntervalMs = options.touchIntervalMs ?? 60_000;
    this.onTouchError = options.onTouchError ?? (() => undefined);
  }

  /**
   * The identity of a request that carries an API key, or why it is refused; undefined when it
   * carries none (another kind of credential decides). The key is removed from the request's
   * headers: the services get the signed identity, never the secret.
   */
  async admit(req: IncomingMessage): Promise<Identity | Denial | undefined> {
    const key = apiKeyOf(req.headers);
    if (key === undefined) return undefined;
    // X-Api-Key beside a bearer token: which of the two is meant is not ours to guess, and the
    // token would otherwise travel on to the service beside a narrower key's identity.
    if (req.headers[API_KEY_HEADER] !== undefined && req.headers.authorization !== undefined) {
      return unauthenticated('send one credential: an API key or an Authorization header, not both');
    }
    delete req.headers[API_KEY_HEADER];
    if (req.headers.authorization && /^apikey(\s|$)/i.test(req.headers.authorization)) {
      delete req.headers.authorization;
    }
    const identity = await this.authenticate(key);
    if ('status' in identity) return identity;
    const operation = matchOperation(req.method ?? 'GET', req.url ?? '/');
    const refusal = operation && sourceRefusal(identity, operation);
    if (refusal) return { status: 403, code: 'FORBIDDEN', message: refusal, identity };
    return identity;
  }

  /** The identity of a key in the `dm_…` format, or why it is refused. */
  async authenticate(key: string): Promise<Identity | Denial> {
    const credential = parseApiKey(key);
    if (!credential) return unauthenticated('the API key is not valid');
    const cached = await this.cache.fetch(credential.id);
    const record = cached?.record;
    if (!record || !secretMatches(credential.secret, record.secretHash)) {
      return unauthenticated('the API key is not valid');
    }
    const now = this.now();
    if (record.revokedAt && record.revokedAt.getTime() <= now) {
      return unauthenticated('the API key was revoked');
    }
    if (record.expiresAt && record.expiresAt.getTime() <= now) {
      return unauthenticated('the API key has expired');
    }
    this.touch(record.id, now);
    const identity: Identity = {
      subject: `api-key:${record.id}`,
      kind: 'api-key',
      roles: record.roles,
      keyId: record.id,
    };
    if (record.scope) identity.scope = record.scope;
    if (record.sources) identity.sources = record.sources;
    return identity;
  }

  /** Drops what this instance cached of a key: called when it is revoked or rotated here. */
  forget(id: string): void {
    this.cache.delete(id);
  }

  private touch(id: string, now: number): void {
    const last = this.touched.get(id);
    if (last !== undefined && now - last < this.touchIntervalMs) return;
    this.touched.set(id, now);
    this.lookup.touch(id).catch(this.onTouchError);
  }
}
