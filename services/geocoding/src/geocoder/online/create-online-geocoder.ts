import { checkOutboundUrl, parseHostList, type OutboundPolicy } from '@duemap/http';
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import type { GeocodingConfig } from '../../config';
import type { OfflineGeocoder } from '../offline/offline-geocoder';
import { AMAP_PUBLIC_URL, AmapAdapter } from './amap.adapter';
import { BAIDU_PUBLIC_URL, BaiduAdapter } from './baidu.adapter';
import { FallbackGeocoder } from './fallback-geocoder';
import { GeocodeCacheRepository, type GeocodeCacheStore } from './geocode-cache.repository';
import { NOMINATIM_PUBLIC_URL, NominatimAdapter } from './nominatim.adapter';
import type { AdapterOptions, OnlineAdapter, OnlineProviderName } from './online-adapter';
import { loggableUrl, nestLog, OnlineGeocoder, type GeocoderLog } from './online-geocoder';
import { PELIAS_PUBLIC_URL, PeliasAdapter } from './pelias.adapter';
import { RedisTokenBucket } from './redis-token-bucket';
import { TokenBucket, type RateLimiter } from './token-bucket';

/** Expired geocode_cache rows are deleted this often (and every 100 writes). */
const CACHE_PURGE_INTERVAL_MS = 10 * 60_000;

/** Sent when GEOCODER_USER_AGENT is unset (allowed for every provider but the public Nominatim). */
export const DEFAULT_USER_AGENT = 'duemap-geocoding/0.1';

const PUBLIC_URLS: Readonly<Record<OnlineProviderName, string>> = {
  nominatim: NOMINATIM_PUBLIC_URL,
  pelias: PELIAS_PUBLIC_URL,
  amap: AMAP_PUBLIC_URL,
  baidu: BAIDU_PUBLIC_URL,
};

export function createAdapter(name: OnlineProviderName, options: AdapterOptions): OnlineAdapter {
  switch (name) {
    case 'nominatim':
      return new NominatimAdapter(options);
    case 'pelias':
      return new PeliasAdapter(options);
    case 'amap':
      return new AmapAdapter(options);
    case 'baidu':
      return new BaiduAdapter(options);
  }
}

/** The config values this needs (GeocodingConfig has them; tests pass a literal). */
export type OnlineGeocoderConfig = Pick<
  GeocodingConfig,
  | 'GEOCODER_URL'
  | 'GEOCODER_KEY'
  | 'GEOCODER_USER_AGENT'
  | 'GEOCODER_RATE_PER_SECOND'
  | 'GEOCODER_RATE_SCOPE'
  | 'REDIS_URL'
  | 'GEOCODER_MAX_WAIT'
  | 'GEOCODER_TIMEOUT'
  | 'GEOCODER_CACHE_TTL'
  | 'OUTBOUND_ALLOW_PRIVATE'
  | 'OUTBOUND_ALLOW_HOSTS'
>;

export interface CreateOnlineOptions {
  readonly offline: OfflineGeocoder;
  /** geocode_cache lives in the service's database; a store replaces it in unit tests. */
  readonly dataSource?: DataSource;
  readonly cache?: GeocodeCacheStore;
  readonly log?: GeocoderLog;
}

/**
 * The online provider `name` with its rate limit, timeout and cache, in front of the offline
 * geocoder. The URL is checked once here (an internal address fails the boot, as for webhooks).
 */
export async function createOnlineGeocoder(
  name: OnlineProviderName,
  config: OnlineGeocoderConfig,
  { offline, dataSource, cache, log }: CreateOnlineOptions,
): Promise<FallbackGeocoder> {
  const baseUrl = config.GEOCODER_URL ?? PUBLIC_URLS[name];
  const adapter = createAdapter(name, {
    baseUrl,
    ...(config.GEOCODER_KEY === undefined ? {} : { key: config.GEOCODER_KEY }),
  });
  const outbound: OutboundPolicy = {
    allowPrivate: config.OUTBOUND_ALLOW_PRIVATE,
    allowHosts: parseHostList(config.OUTBOUND_ALLOW_HOSTS),
  };
  await checkOutboundUrl(baseUrl, outbound);
  const store = cache ?? (dataSource ? new GeocodeCacheRepository(dataSource) : undefined);
  if (!store) throw new Error('createOnlineGeocoder needs a dataSource or a cache');
  const logger = log ?? nestLog();
  const rate = {
    provider: name,
    ratePerSecond: config.GEOCODER_RATE_PER_SECOND,
    maxWaitMs: config.GEOCODER_MAX_WAIT,
  };
  let bucket: RateLimiter = new TokenBucket(rate);
  let redis: Redis | undefined;
  if (config.GEOCODER_RATE_SCOPE === 'redis') {
    // Fail fast instead of queueing commands while disconnected: the local bucket takes over.
    redis = new Redis(config.REDIS_URL, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 1_000,
      lazyConnect: true,
    });
    redis.on('error', () => undefined); // reported through onFallback, once per outage
    // Connected before the first geocode, so that one is counted in Redis too; a Redis that is
    // down at boot does not stop the service (ioredis keeps reconnecting, the local bucket limits).
    await redis.connect().catch(() => undefined);
    bucket = new RedisTokenBucket(redis, {
      ...rate,
      // One bucket per provider endpoint, whichever replica asks.
      key: `duemap:geocoder:rate:${name}:${new URL(baseUrl).host}`,
      onFallback: (error) =>
        error
          ? logger.warn({
              msg: 'geocoder rate limit kept per process: Redis unavailable',
              provider: name,
              error: error.message,
            })
          : logger.info({ msg: 'geocoder rate limit shared in Redis again', provider: name }),
    });
  }
  const online = new OnlineGeocoder(adapter, {
    timeoutMs: config.GEOCODER_TIMEOUT,
    bucket,
    userAgent: config.GEOCODER_USER_AGENT ?? DEFAULT_USER_AGENT,
    outbound,
    ...(config.GEOCODER_KEY === undefined ? {} : { key: config.GEOCODER_KEY }),
    log: logger,
  });
  const cacheTtlMs = config.GEOCODER_CACHE_TTL ?? adapter.terms.cacheTtlMs;
  logger.info({
    msg: 'online geocoder configured',
    provider: name,
    url: loggableUrl(new URL(baseUrl)),
    ratePerSecond: config.GEOCODER_RATE_PER_SECOND,
    rateScope: config.GEOCODER_RATE_SCOPE,
    timeoutMs: config.GEOCODER_TIMEOUT,
    cacheTtlMs,
    key: config.GEOCODER_KEY === undefined ? 'unset' : 'set',
  });
  return new FallbackGeocoder(online, offline, store, {
    cacheTtlMs,
    log: logger,
    purgeIntervalMs: CACHE_PURGE_INTERVAL_MS,
    ...(redis ? { close: () => closeRedis(redis) } : {}),
  });
}

/** QUIT when connected; otherwise stop reconnecting. */
async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
  else redis.disconnect();
}
