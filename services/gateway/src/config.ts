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
  /**
   * Largest bank statement upload (POST /api/v1/bank-statements) the gateway forwards: the file is
   * the body and is streamed through, never held, so it may be far larger than MAX_BODY_BYTES.
   * Payments enforces its own BANK_STATEMENT_MAX_BYTES too.
   */
  MAX_STATEMENT_BYTES: int({ min: 1024, max: 2 * 1024 * 1024 * 1024, default: 200 * 1024 * 1024 }),
  /** Milliseconds to wait for a service before answering 504. */
  UPSTREAM_TIMEOUT_MS: int({ min: 100, max: 120_000, default: 15_000 }),
  /**
   * Proxies of our own in front of the gateway (a load balancer, an ingress): with n > 0 the client
   * address the audit trail records is the n-th entry from the right of X-Forwarded-For, the one
   * our outermost proxy appended. 0 (default): the socket's peer, since a client can send any
   * X-Forwarded-For it likes.
   */
  TRUSTED_PROXIES: int({ min: 0, max: 10, default: 0 }),
  /**
   * Rate limits (docs/security.md, Hardening), counted in Redis (REDIS_URL) across replicas: requests
   * per RATE_LIMIT_WINDOW from one client address before authentication, and of one principal after
   * it (a token's subject, or an API key, whose machines may call more). Beyond a limit a client
   * may use RATE_LIMIT_BURST extra requests, refilled over RATE_LIMIT_BURST_WINDOW; then 429. A
   * refused sign-in (401) costs its address RATE_LIMIT_FAILED_SIGN_IN_COST requests. The local stack
   * and the benchmarks, which call from one address at thousands of requests a second, raise them.
   */
  /**
   * Password guessing on the local issuer's /auth/token and /auth/login: after
   * SIGN_IN_FAILURES_PER_USER failed attempts for one user name from one address, or
   * SIGN_IN_FAILURES_PER_ADDRESS from one address, that address is refused (429) until
   * SIGN_IN_FAILURE_WINDOW has passed.
   */
  SIGN_IN_FAILURES_PER_USER: int({ min: 1, max: 10_000, default: 10 }),
  SIGN_IN_FAILURES_PER_ADDRESS: int({ min: 1, max: 100_000, default: 100 }),
  SIGN_IN_FAILURE_WINDOW: duration('15m', { min: 1000, max: 86_400_000 }),
  RATE_LIMIT_WINDOW: duration('1m', { min: 1000, max: 86_400_000 }),
  RATE_LIMIT_PER_ADDRESS: int({ min: 1, default: 600 }),
  RATE_LIMIT_PER_PRINCIPAL: int({ min: 1, default: 1200 }),
  RATE_LIMIT_PER_API_KEY: int({ min: 1, default: 6000 }),
  RATE_LIMIT_BURST: int({ min: 0, default: 100 }),
  RATE_LIMIT_BURST_WINDOW: duration('10m', { min: 1000, max: 86_400_000 }),
  RATE_LIMIT_FAILED_SIGN_IN_COST: int({ min: 1, max: 1000, default: 10 }),
  /** Prefix of the counters' Redis keys; tests use their own on the shared Redis. */
  RATE_LIMIT_KEY_PREFIX: str({ default: 'duemap:rl', pattern: /^[A-Za-z0-9:._-]+$/ }),
  /** Longest a Redis count may take before the in-process limiter answers instead. */
  RATE_LIMIT_REDIS_TIMEOUT_MS: int({ min: 10, max: 10_000, default: 250 }),
  /**
   * Origins (scheme://host[:port], comma-separated) whose browser pages may call /api/v1
   * cross-origin; none by default, i.e. same-origin only.
   */
  CORS_ORIGINS: str({
    default: '',
    pattern: /^(\s*https?:\/\/[A-Za-z0-9.-]+(:\d+)?\s*)?(,\s*https?:\/\/[A-Za-z0-9.-]+(:\d+)?\s*)*$/,
    hint: 'must be a comma-separated list of origins such as https://console.example.com',
  }),
  /**
   * Strict-Transport-Security max-age in seconds, sent only when set above 0: for a gateway served
   * over https (directly or behind a TLS proxy); never on plain http, where it would do nothing.
   */
  HSTS_MAX_AGE: int({ min: 0, max: 63_072_000, default: 0 }),
  /** The built console (services/console/dist) the gateway serves at /; '' for the one of this checkout. */
  CONSOLE_DIR: str({ default: '' }),
  /**
   * An XYZ raster tile URL (`https://tiles.example.com/{z}/{x}/{y}.png`) for the console's base map,
   * for deployments with a tile server; unset, the map draws the shipped boundaries only (offline).
   */
  CONSOLE_TILE_URL: str({
    default: '',
    pattern: /^(https?:\/\/[^\s"'<>]+)?$/,
    hint: 'must be an http(s) URL such as https://tiles.example.com/{z}/{x}/{y}.png',
  }),
  /** Credit shown on the map for those tiles (their licence usually requires one). */
  CONSOLE_TILE_ATTRIBUTION: str({ default: '' }),
});

export type GatewayConfig = ConfigOf<typeof gatewayConfig>;
