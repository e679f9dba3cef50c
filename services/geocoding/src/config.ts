import {
  defineConfig,
  duration,
  enumOf,
  int,
  outboundShape,
  platformShape,
  port,
  secret,
  str,
  url,
  type ConfigOf,
} from '@duemap/config';

const colour = (fallback: string) =>
  str({ default: fallback, pattern: /^#[0-9a-fA-F]{6}$/, hint: 'must be a colour like "#2e7d32"' });

export const geocodingConfig = defineConfig({
  ...platformShape,
  ...outboundShape,
  SERVICE_NAME: str({ default: 'geocoding', pattern: /^[a-z][a-z0-9-]*$/ }),
  HTTP_PORT: port(3002),
  DATABASE_URL: url({
    protocols: ['postgres:', 'postgresql:'],
    default: 'postgres://postgres@127.0.0.1:5432/duemap_geocoding',
  }),
  /**
   * Which geocoder locates addresses: the shipped offline one, or an online provider asked first
   * with the offline one as fallback (ADR 0021, README "Online geocoders").
   */
  GEOCODER: enumOf(['offline', 'nominatim', 'pelias', 'amap', 'baidu'], 'offline'),
  /** The online provider's base URL (a self-hosted Nominatim or Pelias); its public endpoint by default. */
  GEOCODER_URL: url({ protocols: ['http:', 'https:'], optional: true }),
  /** Amap `key`, Baidu `ak`, geocode.earth `api_key`: required for amap and baidu; never logged. */
  GEOCODER_KEY: secret({ optional: true }),
  /**
   * Sent as User-Agent: Nominatim's usage policy requires one naming the application (with a
   * contact); required for the public nominatim.openstreetmap.org.
   */
  GEOCODER_USER_AGENT: str({
    optional: true,
    pattern: /^[\x20-\x7e]{3,200}$/,
    hint: 'must be 3-200 printable ASCII characters, e.g. "acme-duemap/1.0 (ops@acme.example)"',
  }),
  /** Requests per second to the online provider, per process (public Nominatim: at most 1). */
  GEOCODER_RATE_PER_SECOND: int({ min: 1, max: 1000, default: 1 }),
  /**
   * Where the rate is kept: `process` (each replica sends up to the rate) or `redis` (REDIS_URL; all
   * replicas together send up to the rate, each falling back to its own while Redis is away).
   */
  GEOCODER_RATE_SCOPE: enumOf(['process', 'redis'], 'process'),
  /** Longest a request waits for its turn under the rate; past it the offline geocoder answers. */
  GEOCODER_MAX_WAIT: duration('10s', { min: 0, max: 600_000 }),
  /** Longest one request to the provider may take before the offline geocoder answers instead. */
  GEOCODER_TIMEOUT: duration('5s', { min: 100, max: 120_000 }),
  /** How long answers are cached; unset: the provider's terms (30d Nominatim/Pelias, 0 Amap/Baidu). */
  GEOCODER_CACHE_TTL: duration(undefined, { min: 0, max: 366 * 86_400_000 }).optional(),
  /** Pin colours by AR status (DESIGN.md: paid green, unpaid red, overdue yellow). */
  MAP_COLOR_PAID: colour('#2e7d32'),
  MAP_COLOR_UNPAID: colour('#c62828'),
  MAP_COLOR_OVERDUE: colour('#f9a825'),
  /** Cluster radius in pixels (of a 512 px tile) and the zoom above which pins are never clustered. */
  MAP_CLUSTER_RADIUS: int({ min: 1, max: 512, default: 60 }),
  MAP_CLUSTER_MAX_ZOOM: int({ min: 0, max: 24, default: 16 }),
  /** How often the map grid applies pin changes (src/map/grid-maintenance; 0: never), and how many per batch. */
  MAP_GRID_DRAIN_INTERVAL: duration('200ms', { min: 0 }),
  MAP_GRID_DRAIN_BATCH: int({ min: 1, max: 50_000, default: 5000 }),
}).superRefine(
  (config, ctx) => {
    // Checked at boot: a missing key fails the start with the variable named, not the first request.
    if ((config.GEOCODER === 'amap' || config.GEOCODER === 'baidu') && config.GEOCODER_KEY === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['GEOCODER_KEY'],
        message: `is required when GEOCODER=${config.GEOCODER} (the ${config.GEOCODER === 'amap' ? 'Amap Web service key' : 'Baidu ak'})`,
      });
    }
    if (
      config.GEOCODER === 'pelias' &&
      config.GEOCODER_URL === undefined &&
      config.GEOCODER_KEY === undefined
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['GEOCODER_URL'],
        message:
          'is required when GEOCODER=pelias without GEOCODER_KEY (a self-hosted Pelias; geocode.earth needs the key)',
      });
    }
    if (config.GEOCODER === 'nominatim' && isPublicNominatim(config.GEOCODER_URL)) {
      if (config.GEOCODER_USER_AGENT === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['GEOCODER_USER_AGENT'],
          message:
            'is required for the public Nominatim (its usage policy: a User-Agent naming the application and a contact)',
        });
      }
      if (config.GEOCODER_RATE_PER_SECOND > 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['GEOCODER_RATE_PER_SECOND'],
          message: 'must be 1 for the public Nominatim (its usage policy: at most 1 request per second)',
        });
      }
    }
  },
  // Also when other variables are wrong, so one failed boot lists every problem.
  { when: () => true },
);

/** nominatim.openstreetmap.org, the default of GEOCODER=nominatim: its usage policy applies. */
function isPublicNominatim(url: unknown): boolean {
  if (url === undefined) return true;
  // A value that failed its own check is already reported.
  return (
    typeof url === 'string' &&
    URL.canParse(url) &&
    new URL(url).hostname.toLowerCase() === 'nominatim.openstreetmap.org'
  );
}

export type GeocodingConfig = ConfigOf<typeof geocodingConfig>;
