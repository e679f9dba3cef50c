import { defineConfig, platformShape, port, str, url, type ConfigOf } from '@duemap/config';

export const paymentsConfig = defineConfig({
  ...platformShape,
  SERVICE_NAME: str({ default: 'payments', pattern: /^[a-z][a-z0-9-]*$/ }),
  HTTP_PORT: port(3004),
  DATABASE_URL: url({
    protocols: ['postgres:', 'postgresql:'],
    default: 'postgres://postgres@127.0.0.1:5432/duemap_payments',
  }),
});

export type PaymentsConfig = ConfigOf<typeof paymentsConfig>;
