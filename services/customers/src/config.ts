import { defineConfig, platformShape, port, str, url, type ConfigOf } from '@duemap/config';

export const customersConfig = defineConfig({
  ...platformShape,
  SERVICE_NAME: str({ default: 'customers', pattern: /^[a-z][a-z0-9-]*$/ }),
  HTTP_PORT: port(3001),
  DATABASE_URL: url({
    protocols: ['postgres:', 'postgresql:'],
    default: 'postgres://postgres@127.0.0.1:5432/duemap_customers',
  }),
});

export type CustomersConfig = ConfigOf<typeof customersConfig>;
