import { defineConfig } from './config';
import { brokers, enumOf, host, port, str, url } from './fields';

/** pino's levels, so LOG_LEVEL can be handed to the logger unchecked. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const NODE_ENVS = ['development', 'test', 'production'] as const;

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
  REDIS_URL: url({ protocols: ['redis:', 'rediss:'], default: 'redis://127.0.0.1:6379' }),
  LOG_LEVEL: enumOf(LOG_LEVELS, 'info'),
  OTEL_EXPORTER_OTLP_ENDPOINT: url({ protocols: ['http:', 'https:'], optional: true }),
};

export const platformConfig = defineConfig(platformShape);
