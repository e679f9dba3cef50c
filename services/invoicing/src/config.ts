import { defineConfig, duration, int, platformShape, port, str, url, type ConfigOf } from '@duemap/config';

export const invoicingConfig = defineConfig({
  ...platformShape,
  SERVICE_NAME: str({ default: 'invoicing', pattern: /^[a-z][a-z0-9-]*$/ }),
  HTTP_PORT: port(3003),
  DATABASE_URL: url({
    protocols: ['postgres:', 'postgresql:'],
    default: 'postgres://postgres@127.0.0.1:5432/duemap_invoicing',
  }),
  /** The customers service, asked when the customer read model does not know a customer yet. */
  CUSTOMERS_URL: url({ protocols: ['http:', 'https:'], default: 'http://127.0.0.1:3001' }),
  /** How long a call to the customers service may take before the request answers 503. */
  CUSTOMERS_TIMEOUT: duration('5s', { min: 100 }),
  /** How often open invoices are checked for having passed their due date; 0ms turns the scan off. */
  OVERDUE_SCAN_INTERVAL: duration('60s'),
  /** Invoices marked overdue per transaction by the scan. */
  OVERDUE_SCAN_BATCH_SIZE: int({ min: 1, max: 10_000, default: 500 }),
});

export type InvoicingConfig = ConfigOf<typeof invoicingConfig>;
