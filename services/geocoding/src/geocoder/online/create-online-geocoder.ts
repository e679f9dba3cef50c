import { checkOutboundUrl, parseHostList, type OutboundPolicy } from '@duemap/http';
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
import { TokenBucket } from './token-bucket';

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
  const online = new OnlineGeocoder(adapter, {
    timeoutMs: config.GEOCODER_TIMEOUT,
    bucket: new TokenBucket({
      provider: name,
      ratePerSecond: config.GEOCODER_RATE_PER_SECOND,
      maxWaitMs: config.GEOCODER_MAX_WAIT,
    }),
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
    timeoutMs: config.GEOCODER_TIMEOUT,
    cacheTtlMs,
    key: config.GEOCODER_KEY === undefined ? 'unset' : 'set',
  });
  return new FallbackGeocoder(online, offline, store, { cacheTtlMs, log: logger });
}
