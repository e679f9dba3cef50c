import { defineConfig, platformShape, port, str, url, type ConfigOf } from '@duemap/config';

export const invoicingConfig = defineConfig({
  ...platformShape,
  SERVICE_NAME: str({ default: 'invoicing', pattern: /^[a-z][a-z0-9-]*$/ }),
  HTTP_PORT: port(3003),
  DATABASE_URL: url({
    protocols: ['postgres:', 'postgresql:'],
    default: 'postgres://postgres@127.0.0.1:5432/duemap_invoicing',
  }),
});

export type InvoicingConfig = ConfigOf<typeof invoicingConfig>;
