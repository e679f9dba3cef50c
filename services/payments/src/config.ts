import { defineConfig, duration, int, platformShape, port, str, url, type ConfigOf } from '@duemap/config';

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
  /**
   * Largest bank statement file POST /api/v1/bank-statements takes (bytes): over it 413, by
   * Content-Length before the body is read or as soon as a chunked body passes it. The file is
   * streamed, so the limit bounds time and table growth, not memory.
   */
  BANK_STATEMENT_MAX_BYTES: int({ min: 1024, max: 2 * 1024 * 1024 * 1024, default: 200 * 1024 * 1024 }),
  /**
   * Cash application of bank statement lines: a payment is applied by itself when the engine's
   * confidence reaches this (per mille, 1..1000; 900 = 0.9); below it, it waits in the exceptions
   * worklist (GET /api/v1/payments?status=needs_review).
   */
  CASH_APPLICATION_AUTO_APPLY_PER_MILLE: int({ min: 1, max: 1000, default: 900 }),
  /** How often imported statement lines waiting for cash application are looked for (0: never). */
  CASH_APPLICATION_INTERVAL: duration('250ms', { min: 0, max: 60_000 }),
  /** Statement lines decided per transaction. */
  CASH_APPLICATION_BATCH: int({ min: 1, max: 1000, default: 50 }),
});

export type PaymentsConfig = ConfigOf<typeof paymentsConfig>;
