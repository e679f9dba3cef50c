import { errors, type JWTVerifyGetKey, type KeyLike } from 'jose';
import type { StoredKey } from './key-rotation';
import { publicKeyOf } from './signing-keys';

export interface KeySource {
  published(now?: Date): Promise<StoredKey[]>;
}

/**
 * The local issuer's public keys for verifying tokens in-process (no HTTP call to the gateway's own
 * JWKS): loaded at boot, re-read when a token names a kid not known yet (a key rotated in by
 * `npm run keys:rotate`), at most once a second, and every few minutes so retired keys drop out.
 */
export class LocalKeySet {
  private keys = new Map<string, KeyLike>();
  private loadedAt = 0;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly source: KeySource,
    private readonly maxAgeMs = 300_000,
    private readonly unknownKidCooldownMs = 1000,
  ) {}

  async refresh(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const next = new Map<string, KeyLike>();
        for (const key of await this.source.published()) next.set(key.kid, await publicKeyOf(key));
        this.keys = next;
        this.loadedAt = Date.now();
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  readonly getKey: JWTVerifyGetKey = async (header) => {
    const now = Date.now();
    if (now - this.loadedAt > this.maxAgeMs) await this.refresh();
    const kid = header.kid;
    if (kid === undefined) throw new errors.JWKSNoMatchingKey();
    let key = this.keys.get(kid);
    if (!key && now - this.loadedAt > this.unknownKidCooldownMs) {
      await this.refresh();
      key = this.keys.get(kid);
    }
    if (!key) throw new errors.JWKSNoMatchingKey();
    return key;
  };
}
