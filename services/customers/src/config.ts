import { defineConfig, platformShape, port, secret, str, url, type ConfigOf } from '@duemap/config';
import { PII_KEY_PROBLEM, piiKeyProblem } from './pii/pii-cipher';

/**
 * A development-only key (32 ASCII bytes, base64), public in this repository. `loadConfig` refuses to fall back to it when
 * NODE_ENV=production, so a deployment must set its own CUSTOMERS_PII_KEY.
 */
const DEVELOPMENT_PII_KEY = Buffer.from('duemap-customers-dev-pii-key-32b', 'utf8').toString('base64');

export const customersConfig = defineConfig({
  ...platformShape,
  SERVICE_NAME: str({ default: 'customers', pattern: /^[a-z][a-z0-9-]*$/ }),
  HTTP_PORT: port(3001),
  DATABASE_URL: url({
    protocols: ['postgres:', 'postgresql:'],
    default: 'postgres://postgres@127.0.0.1:5432/duemap_customers',
  }),
  /**
   * AES-256-GCM key for personal data at rest (contacts, street line, postcode): 32 random bytes,
   * base64, e.g. `openssl rand -base64 32`. Changing it makes stored PII unreadable.
   */
  CUSTOMERS_PII_KEY: secret(DEVELOPMENT_PII_KEY).refine((value) => piiKeyProblem(value) === undefined, {
    message: PII_KEY_PROBLEM,
  }),
});

export type CustomersConfig = ConfigOf<typeof customersConfig>;
