import { defineConfig, platformShape, port, str, url, type ConfigOf } from '@duemap/config';

export const geocodingConfig = defineConfig({
  ...platformShape,
  SERVICE_NAME: str({ default: 'geocoding', pattern: /^[a-z][a-z0-9-]*$/ }),
  HTTP_PORT: port(3002),
  DATABASE_URL: url({
    protocols: ['postgres:', 'postgresql:'],
    default: 'postgres://postgres@127.0.0.1:5432/duemap_geocoding',
  }),
});

export type GeocodingConfig = ConfigOf<typeof geocodingConfig>;
