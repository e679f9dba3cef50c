import type { JWK } from 'jose';

/** A signing key as stored (signing_keys); the JWKs are jose's exportJWK output. */
export interface StoredKey {
  kid: string;
  alg: string;
  publicJwk: JWK;
  privateJwk: JWK;
  createdAt: Date;
  retiredAt: Date | null;
}

/** The key that signs: the newest one not retired. */
export function activeKey<K extends Pick<StoredKey, 'createdAt' | 'retiredAt'>>(
  keys: readonly K[],
): K | undefined {
  let newest: K | undefined;
  for (const key of keys) {
    if (key.retiredAt !== null) continue;
    if (!newest || key.createdAt.getTime() > newest.createdAt.getTime()) newest = key;
  }
  return newest;
}

/**
 * Keys that verify (and are published in the JWKS): every key not retired, and a retired one until
 * the longest-lived token it may have signed has expired (retirement + token TTL + clock leeway).
 */
export function publishedKeys<K extends Pick<StoredKey, 'retiredAt'>>(
  keys: readonly K[],
  now: Date,
  tokenTtlMs: number,
  leewayMs = 60_000,
): K[] {
  return keys.filter(
    (key) => key.retiredAt === null || key.retiredAt.getTime() + tokenTtlMs + leewayMs > now.getTime(),
  );
}

/** What rotating does to the stored keys: the new key is active, the previously active ones retire now. */
export function rotated<K extends Pick<StoredKey, 'retiredAt'>>(
  keys: readonly K[],
  added: K,
  now: Date,
): K[] {
  return [...keys.map((key) => (key.retiredAt === null ? { ...key, retiredAt: now } : key)), added];
}
