import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectConfig } from '@duemap/config';
import { DataSource } from 'typeorm';
import type { GatewayConfig } from '../config';
import { isLocalIssuer, issuerSettings } from './issuer-settings';
import type { StoredKey } from './key-rotation';
import { LocalKeySet } from './local-key-set';
import { SigningKeyStore } from './signing-keys';
import { signToken, type SignedToken, type TokenClaims } from './token-issuer';
import { UserStore } from './user-store';
import type { UserEntity } from './user.entity';

// A key rotated by another process (`npm run keys:rotate`) is picked up for signing within this;
// the rotation's published window (token TTL + 60 s leeway) covers tokens signed meanwhile.
const ACTIVE_KEY_MAX_AGE_MS = 30_000;

/** The gateway's local OIDC-style issuer: its keys, users and tokens. Idle when AUTH_* name an outside provider. */
@Injectable()
export class IdentityService implements OnApplicationBootstrap {
  readonly local: boolean;
  readonly keyStore: SigningKeyStore;
  readonly keySet: LocalKeySet;
  readonly users: UserStore;
  private active: { key: StoredKey; at: number } | undefined;

  constructor(
    @InjectConfig() readonly config: GatewayConfig,
    dataSource: DataSource,
  ) {
    this.local = isLocalIssuer(config);
    this.keyStore = new SigningKeyStore(dataSource, config.AUTH_TOKEN_TTL);
    this.keySet = new LocalKeySet(this.keyStore);
    this.users = new UserStore(dataSource);
  }

  /** First start: a key pair is made; then every key that verifies is loaded before requests arrive. */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.local) return;
    await this.activeKey();
    await this.keySet.refresh();
  }

  async issue(claims: TokenClaims): Promise<SignedToken> {
    return signToken(await this.activeKey(), claims, issuerSettings(this.config));
  }

  issueFor(user: UserEntity): Promise<SignedToken> {
    return this.issue({
      subject: user.username,
      name: user.displayName,
      roles: user.roles,
      territory: user.territory ?? undefined,
    });
  }

  private async activeKey(): Promise<StoredKey> {
    if (this.active && Date.now() - this.active.at < ACTIVE_KEY_MAX_AGE_MS) return this.active.key;
    const key = await this.keyStore.ensureActive();
    this.active = { key, at: Date.now() };
    return key;
  }
}
