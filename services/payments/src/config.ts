import { defineConfig, duration, platformShape, port, str, url, type ConfigOf } from '@duemap/config';

export const paymentsConfig = defineConfig({
  ...platformShape,
  SERVICE_NAME: str({ default: 'payments', pattern: /^[a-z][a-z0-9-]*$/ }),
  HTTP_PORT: port(3004),
  DATABASE_URL: url({
    protocols: ['postgres:', 'postgresql:'],
    default: 'postgres://postgres@127.0.0.1:5432/duemap_payments',
  }),
  /** Asked on a read-model miss (a customer created a moment ago): GET /api/v1/customers/{id}. */
  CUSTOMERS_URL: url({ protocols: ['http:', 'https:'], default: 'http://127.0.0.1:3001' }),
  /** Asked on a read-model miss: GET /api/v1/invoices/{id}. */
  INVOICING_URL: url({ protocols: ['http:', 'https:'], default: 'http://127.0.0.1:3003' }),
  /**
   * How long a fallback call may take before the request is answered 503: it runs while the
   * client waits, so it must stay short.
   */
  DEPENDENCY_TIMEOUT: duration('2s', { min: 50, max: 30_000 }),
});

export type PaymentsConfig = ConfigOf<typeof paymentsConfig>;
