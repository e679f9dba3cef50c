import { inspect } from 'node:util';

import { z } from 'zod';

import { type ConfigOf, defineConfig, describeConfig, loadConfig, redactConfig } from './config';
import { ConfigError } from './config.error';
import { int, port, secret, str, url } from './fields';
import { platformConfig } from './platform-config';

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

// What a service's config module looks like: the platform fields plus its own.
const paymentsConfig = platformConfig.extend({
  HTTP_PORT: port(3104),
  PAYMENTS_MAX_ALLOCATIONS: int({ min: 1, max: 1000, default: 100 }),
  PAYMENTS_WEBHOOK_SECRET: secret('dev-webhook-secret'),
});
type PaymentsConfig = ConfigOf<typeof paymentsConfig>;

describe('platformConfig', () => {
  it('boots a developer machine with no variables set', () => {
    expect(loadConfig(platformConfig, {}, { service: 'payments' })).toEqual({
      SERVICE_NAME: 'payments',
      NODE_ENV: 'development',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: 3000,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432',
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      KAFKA_CLIENT_ID: 'payments',
      KAFKA_SASL_MECHANISM: 'none',
      KAFKA_SASL_USERNAME: undefined,
      KAFKA_SASL_PASSWORD: undefined,
      KAFKA_TLS: false,
      KAFKA_TLS_CA_FILE: undefined,
      KAFKA_TLS_CERT_FILE: undefined,
      KAFKA_TLS_KEY_FILE: undefined,
      KAFKA_TLS_REJECT_UNAUTHORIZED: true,
      KAFKA_FETCH_MIN_BYTES: 65_536,
      KAFKA_FETCH_MAX_WAIT_MS: 50,
      OUTBOX_LINGER_MS: 10,
      INBOX_RETENTION: 9 * 24 * 3600_000,
      INBOX_PURGE_INTERVAL: 600_000,
      PIPE_SAMPLE_INTERVAL: 5000,
      PIPE_OUTBOX_MAX_AGE: 30_000,
      PIPE_LAG_MAX: 10_000,
      PIPE_LAG_MAX_FOR: 60_000,
      PIPE_DLQ_MAX_NEW: 0,
      PIPE_DLQ_WINDOW: 300_000,
      DATABASE_STATEMENT_TIMEOUT: 30_000,
      DATABASE_LOCK_TIMEOUT: 10_000,
      DATABASE_IDLE_IN_TRANSACTION_TIMEOUT: 60_000,
      DATABASE_POOL_ACQUIRE_TIMEOUT: 10_000,
      IDENTITY_SECRET: 'duemap-development-identity-secret-not-for-production',
      AUTH_ISSUER: 'http://127.0.0.1:8080',
      AUTH_AUDIENCE: 'duemap',
      AUTH_JWKS_URL: 'http://127.0.0.1:8080/auth/jwks.json',
      AUTH_ROLES_CLAIM: 'roles',
      AUTH_TERRITORY_CLAIM: 'duemap_territory',
      REDIS_URL: 'redis://127.0.0.1:6379',
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
    });
  });

  it('reads every variable from the environment', () => {
    const config = loadConfig(
      platformConfig,
      {
        SERVICE_NAME: 'customers',
        NODE_ENV: 'production',
        HTTP_HOST: '0.0.0.0',
        HTTP_PORT: '8080',
        DATABASE_URL: 'postgresql://app:pw@db:5432/customers',
        KAFKA_BROKERS: 'k0:9092,k1:9092',
        KAFKA_CLIENT_ID: 'customers-7f9c',
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'customers',
        KAFKA_SASL_PASSWORD: 'kafka-pw',
        KAFKA_TLS: 'true',
        KAFKA_TLS_CA_FILE: '/etc/kafka/ca.pem',
        KAFKA_TLS_CERT_FILE: '/etc/kafka/client.pem',
        KAFKA_TLS_KEY_FILE: '/etc/kafka/client.key',
        KAFKA_TLS_REJECT_UNAUTHORIZED: 'false',
        REDIS_URL: 'rediss://cache:6380',
        LOG_LEVEL: 'debug',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        IDENTITY_SECRET: 'a-production-secret-of-at-least-32-bytes',
      },
      { service: 'payments' },
    );
    expect(config).toMatchObject({
      SERVICE_NAME: 'customers',
      NODE_ENV: 'production',
      HTTP_HOST: '0.0.0.0',
      HTTP_PORT: 8080,
      KAFKA_BROKERS: ['k0:9092', 'k1:9092'],
      KAFKA_CLIENT_ID: 'customers-7f9c',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'customers',
      KAFKA_SASL_PASSWORD: 'kafka-pw',
      KAFKA_TLS: true,
      KAFKA_TLS_CA_FILE: '/etc/kafka/ca.pem',
      KAFKA_TLS_CERT_FILE: '/etc/kafka/client.pem',
      KAFKA_TLS_KEY_FILE: '/etc/kafka/client.key',
      KAFKA_TLS_REJECT_UNAUTHORIZED: false,
      REDIS_URL: 'rediss://cache:6380',
      LOG_LEVEL: 'debug',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
    });
  });

  it('requires a service name from somewhere', () => {
    expect(configErrorOf(() => loadConfig(platformConfig, {})).message).toBe(
      'Invalid configuration for service "unknown":\nSERVICE_NAME: is required but not set\nKAFKA_CLIENT_ID: is required but not set',
    );
    expect(loadConfig(platformConfig, { SERVICE_NAME: 'geocoding' })).toMatchObject({
      SERVICE_NAME: 'geocoding',
      KAFKA_CLIENT_ID: 'geocoding',
    });
    expect(
      loadConfig(platformConfig, { SERVICE_NAME: 'customers-eu' }, { service: 'customers' }),
    ).toMatchObject({
      SERVICE_NAME: 'customers-eu',
      KAFKA_CLIENT_ID: 'customers-eu',
    });
  });

  it('checks the service name it is given', () => {
    expect(configErrorOf(() => loadConfig(platformConfig, {}, { service: 'Payments' })).issues[0]).toEqual({
      key: 'SERVICE_NAME',
      message: 'must be lowercase kebab-case, e.g. "payments" (got "Payments")',
    });
  });

  it('accepts every pino level and node environment', () => {
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) {
      expect(loadConfig(platformConfig, { LOG_LEVEL: level }, { service: 'x' }).LOG_LEVEL).toBe(level);
    }
    for (const nodeEnv of ['development', 'test', 'production']) {
      const env = { NODE_ENV: nodeEnv, IDENTITY_SECRET: 'a-production-secret-of-at-least-32-bytes' };
      expect(loadConfig(platformConfig, env, { service: 'x' }).NODE_ENV).toBe(nodeEnv);
    }
  });
});

describe('loadConfig', () => {
  it('reports every problem at once, one per line, in schema order', () => {
    const error = configErrorOf(() =>
      loadConfig(
        paymentsConfig,
        {
          REDIS_URL: 'http://cache:6379',
          DATABASE_URL: 'mysql://localhost/payments',
          HTTP_PORT: '99999',
          KAFKA_BROKERS: 'kafka',
          LOG_LEVEL: 'verbose',
          PAYMENTS_MAX_ALLOCATIONS: '0',
          NODE_ENV: 'staging',
        },
        { service: 'payments' },
      ),
    );
    expect(error.message).toBe(
      [
        'Invalid configuration for service "payments":',
        'NODE_ENV: must be one of development, test, production (got "staging")',
        'HTTP_PORT: must be a port number between 1 and 65535 (got "99999")',
        'DATABASE_URL: must be a postgres:// or postgresql:// URL (got "mysql://localhost/payments")',
        'KAFKA_BROKERS: must be a comma-separated list of host:port; entry 1 "kafka" is not host:port (got "kafka")',
        'REDIS_URL: must be a redis:// or rediss:// URL (got "http://cache:6379")',
        'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")',
        'PAYMENTS_MAX_ALLOCATIONS: must be an integer between 1 and 1000 (got "0")',
      ].join('\n'),
    );
    expect(error.service).toBe('payments');
    expect(error.issues.map((i) => i.key)).toEqual([
      'NODE_ENV',
      'HTTP_PORT',
      'DATABASE_URL',
      'KAFKA_BROKERS',
      'REDIS_URL',
      'LOG_LEVEL',
      'PAYMENTS_MAX_ALLOCATIONS',
    ]);
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.name).toBe('ConfigError');
    expect(error).toBeInstanceOf(Error);
  });

  it('reports a production secret left at its default together with other problems', () => {
    const error = configErrorOf(() =>
      loadConfig(paymentsConfig, { NODE_ENV: 'production', HTTP_PORT: 'x' }, { service: 'payments' }),
    );
    expect(error.message.split('\n').slice(1)).toEqual([
      'HTTP_PORT: must be a port number between 1 and 65535 (got "x")',
      'IDENTITY_SECRET: must be set in production (its default is for development only)',
      'PAYMENTS_WEBHOOK_SECRET: must be set in production (its default is for development only)',
    ]);
  });

  it('truncates very long values in messages', () => {
    const error = configErrorOf(() =>
      loadConfig(paymentsConfig, { HTTP_PORT: '9'.repeat(500) }, { service: 'p' }),
    );
    expect(error.message).toContain(`(got "${'9'.repeat(80)}…")`);
  });

  it('names the service from SERVICE_NAME when not given', () => {
    const error = configErrorOf(() =>
      loadConfig(paymentsConfig, { SERVICE_NAME: 'invoicing', HTTP_PORT: '0' }),
    );
    expect(error.message.split('\n')[0]).toBe('Invalid configuration for service "invoicing":');
  });

  it('lets a service override a platform default', () => {
    const config: PaymentsConfig = loadConfig(paymentsConfig, {}, { service: 'payments' });
    expect(config.HTTP_PORT).toBe(3104);
    expect(config.PAYMENTS_MAX_ALLOCATIONS).toBe(100);
    expect(config.PAYMENTS_WEBHOOK_SECRET).toBe('dev-webhook-secret');
  });

  it('ignores variables the schema does not name', () => {
    const config = loadConfig(paymentsConfig, { PATH: '/usr/bin', HOME: '/root' }, { service: 'payments' });
    expect(Object.keys(config)).not.toContain('PATH');
    expect(Object.keys(config)).toHaveLength(Object.keys(paymentsConfig.shape).length);
  });

  it('reads process.env by default', () => {
    const schema = defineConfig({ DUEMAP_CONFIG_SPEC_PROBE: str({ default: 'unset' }) });
    process.env['DUEMAP_CONFIG_SPEC_PROBE'] = 'from-process-env';
    try {
      expect(loadConfig(schema).DUEMAP_CONFIG_SPEC_PROBE).toBe('from-process-env');
    } finally {
      delete process.env['DUEMAP_CONFIG_SPEC_PROBE'];
    }
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig(paymentsConfig, {}, { service: 'payments' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { HTTP_PORT: number }).HTTP_PORT = 1;
    }).toThrow(TypeError);
    expect(() => (config.KAFKA_BROKERS as string[]).push('x:1')).toThrow(TypeError);
  });

  it('types the result from the schema', () => {
    const config = loadConfig(paymentsConfig, {}, { service: 'payments' });
    const portNumber: number = config.HTTP_PORT;
    const brokerList: readonly string[] = config.KAFKA_BROKERS;
    const endpoint: string | undefined = config.OTEL_EXPORTER_OTLP_ENDPOINT;
    const level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = config.LOG_LEVEL;
    // Checked by tsc only; never called because the assignment would throw.
    const _typeOnly = (): unknown => {
      // @ts-expect-error the config is read-only
      config.HTTP_PORT = 1234;
      // @ts-expect-error unknown keys do not exist on the type
      return config.NOT_A_KEY;
    };
    expect([portNumber, brokerList, endpoint, level]).toEqual([3104, ['127.0.0.1:9092'], undefined, 'info']);
  });

  it('reports whole-object rules under their path', () => {
    const schema = defineConfig({
      POOL_MIN: int({ default: 1 }),
      POOL_MAX: int({ default: 10 }),
    }).refine((c) => c.POOL_MIN <= c.POOL_MAX, { message: 'must be >= POOL_MIN', path: ['POOL_MAX'] });
    expect(loadConfig(schema, {}).POOL_MAX).toBe(10);
    expect(
      configErrorOf(() => loadConfig(schema, { POOL_MIN: '5', POOL_MAX: '2' }, { service: 'db' })).message,
    ).toBe('Invalid configuration for service "db":\nPOOL_MAX: must be >= POOL_MIN (got "2")');
  });

  it('accepts hand-written zod fields and still names the variable', () => {
    const schema = defineConfig({ REGION: z.string().length(2) });
    expect(loadConfig(schema, { REGION: 'cn' }).REGION).toBe('cn');
    expect(configErrorOf(() => loadConfig(schema, { REGION: 'china' })).issues[0]?.key).toBe('REGION');
  });

  it('refuses keys that are not environment variable names', () => {
    expect(() => defineConfig({ httpPort: port(1) })).toThrow(
      'Config keys must be UPPER_SNAKE environment variable names: httpPort',
    );
    expect(() => loadConfig(z.object({ 'db-url': url() }), {})).toThrow('db-url');
  });
});

describe('redaction', () => {
  const withPassword = platformConfig.extend({ SIGNING_KEY: secret('dev-signing-key') });
  const config = loadConfig(
    withPassword,
    { DATABASE_URL: 'postgres://app:hunter2@db:5432/payments', SIGNING_KEY: 'k-123' },
    { service: 'payments' },
  );

  it('replaces secrets with *** and masks URL passwords', () => {
    expect(redactConfig(config)).toMatchObject({
      SIGNING_KEY: '***',
      DATABASE_URL: 'postgres://app:***@db:5432/payments',
      REDIS_URL: 'redis://127.0.0.1:6379',
      HTTP_PORT: 3000,
      KAFKA_BROKERS: ['127.0.0.1:9092'],
    });
    expect(config.SIGNING_KEY).toBe('k-123');
    expect(config.DATABASE_URL).toBe('postgres://app:hunter2@db:5432/payments');
  });

  it('is what JSON.stringify and util.inspect show, so logging the config is safe', () => {
    for (const printed of [JSON.stringify(config), inspect(config), JSON.stringify({ config })]) {
      expect(printed).not.toContain('k-123');
      expect(printed).not.toContain('hunter2');
      expect(printed).toContain('***');
    }
  });

  it('needs the schema for an object that did not come from loadConfig', () => {
    const plain = { SIGNING_KEY: 'k-123', HTTP_PORT: 1 };
    expect(redactConfig(plain, withPassword)).toEqual({ SIGNING_KEY: '***', HTTP_PORT: 1 });
  });

  it('redacts credential-looking names even when they were not declared secret', () => {
    expect(
      redactConfig({
        SMTP_PASSWORD: 'p',
        GITHUB_TOKEN: 't',
        AMAP_API_KEY: 'a',
        CLIENT_SECRET: 's',
        HOST: 'h',
      }),
    ).toEqual({
      SMTP_PASSWORD: '***',
      GITHUB_TOKEN: '***',
      AMAP_API_KEY: '***',
      CLIENT_SECRET: '***',
      HOST: 'h',
    });
  });

  it('describeConfig prints one redacted KEY=value line per field', () => {
    expect(describeConfig(config).split('\n')).toEqual([
      'SERVICE_NAME=payments',
      'NODE_ENV=development',
      'HTTP_HOST=127.0.0.1',
      'HTTP_PORT=3000',
      'DATABASE_URL=postgres://app:***@db:5432/payments',
      'KAFKA_BROKERS=127.0.0.1:9092',
      'KAFKA_CLIENT_ID=payments',
      'KAFKA_SASL_MECHANISM=none',
      'KAFKA_SASL_USERNAME=(unset)',
      'KAFKA_SASL_PASSWORD=(unset)',
      'KAFKA_TLS=false',
      'KAFKA_TLS_CA_FILE=(unset)',
      'KAFKA_TLS_CERT_FILE=(unset)',
      'KAFKA_TLS_KEY_FILE=(unset)',
      'KAFKA_TLS_REJECT_UNAUTHORIZED=true',
      'KAFKA_FETCH_MIN_BYTES=65536',
      'KAFKA_FETCH_MAX_WAIT_MS=50',
      'OUTBOX_LINGER_MS=10',
      'INBOX_RETENTION=777600000',
      'INBOX_PURGE_INTERVAL=600000',
      'PIPE_SAMPLE_INTERVAL=5000',
      'PIPE_OUTBOX_MAX_AGE=30000',
      'PIPE_LAG_MAX=10000',
      'PIPE_LAG_MAX_FOR=60000',
      'PIPE_DLQ_MAX_NEW=0',
      'PIPE_DLQ_WINDOW=300000',
      'DATABASE_STATEMENT_TIMEOUT=30000',
      'DATABASE_LOCK_TIMEOUT=10000',
      'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT=60000',
      'DATABASE_POOL_ACQUIRE_TIMEOUT=10000',
      'IDENTITY_SECRET=***',
      'AUTH_ISSUER=http://127.0.0.1:8080',
      'AUTH_AUDIENCE=duemap',
      'AUTH_JWKS_URL=http://127.0.0.1:8080/auth/jwks.json',
      'AUTH_ROLES_CLAIM=roles',
      'AUTH_TERRITORY_CLAIM=duemap_territory',
      'REDIS_URL=redis://127.0.0.1:6379',
      'LOG_LEVEL=info',
      'OTEL_EXPORTER_OTLP_ENDPOINT=(unset)',
      'SIGNING_KEY=***',
    ]);
  });
});
