import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, type KeyLike } from 'jose';
import type { DataSource, EntityManager } from 'typeorm';
import { IsNull } from 'typeorm';
import { activeKey, publishedKeys, type StoredKey } from './key-rotation';
import { SigningKeyEntity } from './signing-key.entity';

/** Ed25519: small keys and signatures, fast, and no parameter choices to get wrong. */
export const SIGNING_ALG = 'EdDSA';

// One process at a time creates or rotates keys (the gateway at boot, `npm run token`, the e2e stack).
const KEYS_LOCK = 'SELECT pg_advisory_xact_lock(hashtext($1))';
const KEYS_LOCK_NAME = 'duemap signing_keys';

async function generateKey(now: Date): Promise<SigningKeyEntity> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { crv: 'Ed25519', extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const key = new SigningKeyEntity();
  key.kid = kid;
  key.alg = SIGNING_ALG;
  key.publicJwk = { ...publicJwk, kid, alg: SIGNING_ALG, use: 'sig' };
  key.privateJwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG };
  key.createdAt = now;
  key.retiredAt = null;
  return key;
}

/** The local issuer's key pairs in `signing_keys`. */
export class SigningKeyStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokenTtlMs: number,
  ) {}

  /** The active key, created if there is none yet (first start). */
  async ensureActive(): Promise<StoredKey> {
    const existing = activeKey(
      await this.dataSource.getRepository(SigningKeyEntity).findBy({ retiredAt: IsNull() }),
    );
    if (existing) return existing;
    return this.dataSource.transaction(async (em) => {
      await em.query(KEYS_LOCK, [KEYS_LOCK_NAME]);
      const again = activeKey(await em.getRepository(SigningKeyEntity).findBy({ retiredAt: IsNull() }));
      return again ?? this.insert(em, new Date());
    });
  }

  /** A new active key; the old ones stop signing now and keep verifying until their tokens expired. */
  async rotate(now = new Date()): Promise<StoredKey> {
    return this.dataSource.transaction(async (em) => {
      await em.query(KEYS_LOCK, [KEYS_LOCK_NAME]);
      await em.getRepository(SigningKeyEntity).update({ retiredAt: IsNull() }, { retiredAt: now });
      return this.insert(em, now);
    });
  }

  /** Keys that verify tokens today (the JWKS). */
  async published(now = new Date()): Promise<StoredKey[]> {
    const all = await this.dataSource.getRepository(SigningKeyEntity).find({ order: { createdAt: 'DESC' } });
    return publishedKeys(all, now, this.tokenTtlMs);
  }

  private async insert(em: EntityManager, now: Date): Promise<StoredKey> {
    const key = await generateKey(now);
    await em.getRepository(SigningKeyEntity).save(key);
    return key;
  }
}

/** The public half as a JWK for the JWKS document. */
export function publicJwkOf(key: StoredKey): JWK {
  return key.publicJwk;
}

export async function privateKeyOf(key: StoredKey): Promise<KeyLike> {
  return (await importJWK(key.privateJwk, key.alg)) as KeyLike;
}

export async function publicKeyOf(key: StoredKey): Promise<KeyLike> {
  return (await importJWK(key.publicJwk, key.alg)) as KeyLike;
}
