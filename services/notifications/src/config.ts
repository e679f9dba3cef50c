import { defineConfig, platformShape, port, str, url, type ConfigOf } from '@duemap/config';

export const notificationsConfig = defineConfig({
  ...platformShape,
  SERVICE_NAME: str({ default: 'notifications', pattern: /^[a-z][a-z0-9-]*$/ }),
  HTTP_PORT: port(3005),
  DATABASE_URL: url({
    protocols: ['postgres:', 'postgresql:'],
    default: 'postgres://postgres@127.0.0.1:5432/duemap_notifications',
  }),
});

export type NotificationsConfig = ConfigOf<typeof notificationsConfig>;
