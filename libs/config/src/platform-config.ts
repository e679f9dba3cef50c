import { defineConfig } from './config';
import { bool, brokers, duration, enumOf, host, int, port, secret, str, url } from './fields';

/** pino's levels, so LOG_LEVEL can be handed to the logger unchecked. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const NODE_ENVS = ['development', 'test', 'production'] as const;
export const KAFKA_SASL_MECHANISMS = ['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const;

/**
 * The infrastructure every service needs. The defaults are the local stack of the build machines
 * and `npm start` (Postgres, Redis and Kafka on 127.0.0.1), so a service boots with no variables
 * set. SERVICE_NAME and KAFKA_CLIENT_ID default to the `service` given to `loadConfig`.
 *
 * Each service extends it and overrides what differs, typically its port and database:
 *   platformConfig.extend({ HTTP_PORT: port(3104), DATABASE_URL: url({ ..., default: '.../duemap_payments' }) })
 */
export const platformShape = {
  SERVICE_NAME: str({ pattern: /^[a-z][a-z0-9-]*$/, hint: 'must be lowercase kebab-case, e.g. "payments"' }),
  NODE_ENV: enumOf(NODE_ENVS, 'development'),
  HTTP_HOST: host('127.0.0.1'),
  HTTP_PORT: port(3000),
  DATABASE_URL: url({
    protocols: ['postgres:', 'postgresql:'],
    default: 'postgres://postgres@127.0.0.1:5432',
  }),
  KAFKA_BROKERS: brokers('127.0.0.1:9092'),
  KAFKA_CLIENT_ID: str({
    pattern: /^[A-Za-z0-9._-]+$/,
    hint: 'must contain only letters, digits, ".", "_" and "-"',
  }),
  /**
   * How every Kafka client of the service authenticates (docs/security.md, "Kafka: SASL/SCRAM and
   * TLS"). `none` suits the local broker of `npm start`; with a mechanism, KAFKA_SASL_USERNAME and
   * KAFKA_SASL_PASSWORD are required (libs/messaging kafkaSecurityFromConfig refuses to boot
   * otherwise). SCRAM keeps the password off the wire; `plain` sends it, so only with KAFKA_TLS.
   */
  KAFKA_SASL_MECHANISM: enumOf(KAFKA_SASL_MECHANISMS, 'none'),
  KAFKA_SASL_USERNAME: str({ optional: true }),
  KAFKA_SASL_PASSWORD: secret({ optional: true }),
  /**
   * TLS to the brokers. KAFKA_TLS_CA_FILE: PEM of the CA(s) that signed the brokers' certificates
   * (default: Node's trusted roots); KAFKA_TLS_CERT_FILE + KAFKA_TLS_KEY_FILE: PEM client
   * certificate and key for brokers that require mutual TLS. KAFKA_TLS_REJECT_UNAUTHORIZED=false
   * skips the certificate check (development only: anyone in the path can read the traffic).
   */
  KAFKA_TLS: bool(false),
  KAFKA_TLS_CA_FILE: str({ optional: true }),
  KAFKA_TLS_CERT_FILE: str({ optional: true }),
  KAFKA_TLS_KEY_FILE: str({ optional: true }),
  KAFKA_TLS_REJECT_UNAUTHORIZED: bool(true),
  /**
   * Consumer fetches: the broker answers once it has KAFKA_FETCH_MIN_BYTES for us or
   * KAFKA_FETCH_MAX_WAIT_MS passed. Waiting a little turns many small fetches (and transactions)
   * into a few bigger ones; each hop of the flow may wait that long more when traffic is light.
   */
  KAFKA_FETCH_MIN_BYTES: int({ min: 1, max: 52_428_800, default: 65_536 }),
  KAFKA_FETCH_MAX_WAIT_MS: int({ min: 0, max: 10_000, default: 50 }),
  /** The outbox relay waits this long after a short batch so that the next carries more rows. */
  OUTBOX_LINGER_MS: int({ min: 0, max: 1000, default: 10 }),
  /**
   * A consumer's inbox row (proof that an event was applied) is purged this long after; it must
   * outlast what Kafka can redeliver (retention.ms + segment.ms of each consumed topic: 8 days on the
   * topics `npm start` creates), or a replay from the oldest message kept would apply events again.
   * A consumer refuses to start when it does not. Checked every INBOX_PURGE_INTERVAL.
   */
  INBOX_RETENTION: duration('9d', { min: 60_000 }),
  INBOX_PURGE_INTERVAL: duration('10m', { min: 1000, max: 86_400_000 }),
  /**
   * Readiness (/health, never /health/live) degrades while the event pipe is stuck: the oldest
   * pending outbox row is older than PIPE_OUTBOX_MAX_AGE, the consumer group lags a topic by more
   * than PIPE_LAG_MAX messages for PIPE_LAG_MAX_FOR (or does not move on it for that long while
   * messages wait), or the DLQ twin of a consumed topic gained more than PIPE_DLQ_MAX_NEW dead
   * letters within PIPE_DLQ_WINDOW (so by default any new dead letter takes the service out of
   * rotation for 5 minutes). Sampled in the background every PIPE_SAMPLE_INTERVAL (one outbox
   * query, a few Kafka admin requests), never per request.
   */
  PIPE_SAMPLE_INTERVAL: duration('5s', { min: 100, max: 60_000 }),
  PIPE_OUTBOX_MAX_AGE: duration('30s', { min: 1000 }),
  PIPE_LAG_MAX: int({ min: 0, default: 10_000 }),
  PIPE_LAG_MAX_FOR: duration('60s'),
  PIPE_DLQ_MAX_NEW: int({ min: 0, default: 0 }),
  PIPE_DLQ_WINDOW: duration('5m', { min: 1000 }),
  /**
   * Bounds on every service connection (0: none). A statement running longer, one waiting longer
   * for a row or table lock, a transaction left open and idle longer (its session is ended, its
   * locks released), a wait for a free connection of the pool longer: each fails instead of
   * stalling the service. Migrations run on connections of their own, without these.
   */
  DATABASE_STATEMENT_TIMEOUT: duration('30s', { min: 0 }),
  DATABASE_LOCK_TIMEOUT: duration('10s', { min: 0 }),
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT: duration('60s', { min: 0 }),
  DATABASE_POOL_ACQUIRE_TIMEOUT: duration('10s', { min: 0 }),
  /**
   * Authentication (docs/security.md). The gateway signs who is calling with IDENTITY_SECRET and
   * every service verifies it (or a bearer token of AUTH_ISSUER, checked against AUTH_JWKS_URL),
   * so no service trusts whoever reaches its port. `npm start` generates the secret on first run.
   * AUTH_ISSUER/AUTH_AUDIENCE/AUTH_JWKS_URL name any OIDC provider; by default the gateway's own.
   */
  IDENTITY_SECRET: secret('duemap-development-identity-secret-not-for-production'),
  AUTH_ISSUER: str({ default: 'http://127.0.0.1:8080' }),
  AUTH_AUDIENCE: str({ default: 'duemap' }),
  AUTH_JWKS_URL: url({ protocols: ['http:', 'https:'], default: 'http://127.0.0.1:8080/auth/jwks.json' }),
  /** Dotted path of the roles claim in bearer tokens (`realm_access.roles` for Keycloak). */
  AUTH_ROLES_CLAIM: str({ default: 'roles' }),
  /** Dotted path of a collector's territory claim (`{countries, provinces, salesTerritories, customerIds}`). */
  AUTH_TERRITORY_CLAIM: str({ default: 'duemap_territory' }),
  REDIS_URL: url({ protocols: ['redis:', 'rediss:'], default: 'redis://127.0.0.1:6379' }),
  LOG_LEVEL: enumOf(LOG_LEVELS, 'info'),
  OTEL_EXPORTER_OTLP_ENDPOINT: url({ protocols: ['http:', 'https:'], optional: true }),
};

export const platformConfig = defineConfig(platformShape);
