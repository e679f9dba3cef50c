import { loadConfig } from '@duemap/config';
import type { Role, Territory } from '@duemap/auth';
import { DataSource } from 'typeorm';
import { gatewayConfig } from '../config';
import { issuerSettings } from './issuer-settings';
import { SigningKeyEntity } from './signing-key.entity';
import { SigningKeyStore } from './signing-keys';
import { signToken } from './token-issuer';

export interface MintOptions {
  subject: string;
  roles: readonly Role[];
  territory?: Territory;
  ttlSeconds?: number;
  notBefore?: Date;
  /** `iat` (default now; `exp` is iat + ttl): a past one makes an expired token, for tests. */
  issuedAt?: Date;
  /** AUTH_ISSUER / AUTH_AUDIENCE of the environment (or their defaults) unless given. */
  issuer?: string;
  audience?: string;
}

/**
 * A token of the local issuer, signed with the active key in the gateway's database (created if
 * there is none yet), for scripts and tests: `npm run token`, the e2e stack, the demo data loader.
 */
export async function mintToken(databaseUrl: string, options: MintOptions): Promise<string> {
  const env = loadConfig(
    gatewayConfig,
    {
      AUTH_ISSUER: options.issuer ?? process.env.AUTH_ISSUER,
      AUTH_AUDIENCE: options.audience ?? process.env.AUTH_AUDIENCE,
      AUTH_TOKEN_TTL: process.env.AUTH_TOKEN_TTL,
    },
    { service: 'gateway' },
  );
  const dataSource = new DataSource({ type: 'postgres', url: databaseUrl, entities: [SigningKeyEntity] });
  await dataSource.initialize();
  try {
    const key = await new SigningKeyStore(dataSource, env.AUTH_TOKEN_TTL).ensureActive();
    const signed = await signToken(
      key,
      {
        subject: options.subject,
        roles: options.roles,
        territory: options.territory,
        ttlSeconds: options.ttlSeconds,
        notBefore: options.notBefore,
      },
      issuerSettings(env),
      options.issuedAt,
    );
    return signed.token;
  } finally {
    await dataSource.destroy();
  }
}
