import { defineConfig, enumOf, int, platformShape, port, str, url, type ConfigOf } from '@duemap/config';

const colour = (fallback: string) =>
  str({ default: fallback, pattern: /^#[0-9a-fA-F]{6}$/, hint: 'must be a colour like "#2e7d32"' });

export const geocodingConfig = defineConfig({
  ...platformShape,
  SERVICE_NAME: str({ default: 'geocoding', pattern: /^[a-z][a-z0-9-]*$/ }),
  HTTP_PORT: port(3002),
  DATABASE_URL: url({
    protocols: ['postgres:', 'postgresql:'],
    default: 'postgres://postgres@127.0.0.1:5432/duemap_geocoding',
  }),
  /** Which geocoder locates addresses. Only the offline one exists; online adapters would add names. */
  GEOCODER: enumOf(['offline'], 'offline'),
  /** Pin colours by AR status (DESIGN.md: paid green, unpaid red, overdue yellow). */
  MAP_COLOR_PAID: colour('#2e7d32'),
  MAP_COLOR_UNPAID: colour('#c62828'),
  MAP_COLOR_OVERDUE: colour('#f9a825'),
  /** Cluster radius in pixels (of a 512 px tile) and the zoom above which pins are never clustered. */
  MAP_CLUSTER_RADIUS: int({ min: 1, max: 512, default: 60 }),
  MAP_CLUSTER_MAX_ZOOM: int({ min: 0, max: 24, default: 16 }),
});

export type GeocodingConfig = ConfigOf<typeof geocodingConfig>;
