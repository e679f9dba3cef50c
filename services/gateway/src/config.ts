import { defineConfig, duration, int, platformShape, port, str, url, type ConfigOf } from '@duemap/config';

export const gatewayConfig = defineConfig({
  ...platformShape,
  SERVICE_NAME: str({ default: 'gateway', pattern: /^[a-z][a-z0-9-]*$/ }),
  HTTP_PORT: port(8080),
  /** The gateway's own database: the local issuer's keys and users, API keys, the audit trail. */
  DATABASE_URL: url({
    protocols: ['postgres:', 'postgresql:'],
    default: 'postgres://postgres@127.0.0.1:5432/duemap_gateway',
  }),
  CUSTOMERS_URL: url({ protocols: ['http:', 'https:'], default: 'http://127.0.0.1:3001' }),
  GEOCODING_URL: url({ protocols: ['http:', 'https:'], default: 'http://127.0.0.1:3002' }),
  INVOICING_URL: url({ protocols: ['http:', 'https:'], default: 'http://127.0.0.1:3003' }),
  PAYMENTS_URL: url({ protocols: ['http:', 'https:'], default: 'http://127.0.0.1:3004' }),
  NOTIFICATIONS_URL: url({ protocols: ['http:', 'https:'], default: 'http://127.0.0.1:3005' }),
  /** Lifetime of the tokens the local issuer signs (sign-in page, `npm run token`, POST /auth/token). */
  AUTH_TOKEN_TTL: duration('1h', { min: 60_000, max: 7 * 86_400_000 }),
  /** Largest request body the gateway forwards (bytes); services enforce theirs too. */
  MAX_BODY_BYTES: int({ min: 1024, max: 50 * 1024 * 1024, default: 1024 * 1024 }),
  /** Milliseconds to wait for a service before answering 504. */
  UPSTREAM_TIMEOUT_MS: int({ min: 100, max: 120_000, default: 15_000 }),
  /**
   * Proxies of our own in front of the gateway (a load balancer, an ingress): with n > 0 the client
   * address the audit trail records is the n-th entry from the right of X-Forwarded-For, the one
   * our outermost proxy appended. 0 (default): the socket's peer, since a client can send any
   * X-Forwarded-For it likes.
   */
  TRUSTED_PROXIES: int({ min: 0, max: 10, default: 0 }),
});

export type GatewayConfig = ConfigOf<typeof gatewayConfig>;
