import type { GatewayConfig } from '../config';
import type { IssuerSettings } from './token-issuer';

export type AuthSettings = Pick<
  GatewayConfig,
  'AUTH_ISSUER' | 'AUTH_AUDIENCE' | 'AUTH_JWKS_URL' | 'AUTH_TOKEN_TTL'
>;

/** Where the local issuer publishes its keys, under AUTH_ISSUER. */
export function localJwksUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/auth/jwks.json`;
}

/**
 * The gateway is the issuer (the default) when AUTH_JWKS_URL is its own JWKS under AUTH_ISSUER; an
 * outside provider (Keycloak, Azure AD, Authing) publishes its keys elsewhere, and then the gateway
 * neither signs tokens nor serves the sign-in page.
 */
export function isLocalIssuer(config: Pick<AuthSettings, 'AUTH_ISSUER' | 'AUTH_JWKS_URL'>): boolean {
  return new URL(config.AUTH_JWKS_URL).href === new URL(localJwksUrl(config.AUTH_ISSUER)).href;
}

export function issuerSettings(config: AuthSettings): IssuerSettings {
  return {
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    defaultTtlSeconds: Math.floor(config.AUTH_TOKEN_TTL / 1000),
  };
}
