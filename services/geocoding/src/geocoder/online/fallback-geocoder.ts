import type { OnApplicationShutdown } from '@nestjs/common';
import {
  GEOCODE_PRECISIONS,
  type GeocodeAddress,
  type GeocodeResult,
  type GeocodingProvider,
  type NormalizedAddress,
} from '../geocoding-provider';
import type { OfflineGeocoder } from '../offline/offline-geocoder';
import { addressHash, type GeocodeCacheStore } from './geocode-cache.repository';
import type { GeocoderLog, OnlineGeocoder } from './online-geocoder';
import { geocoderAnswers, geocoderCache } from './online-metrics';

export interface FallbackGeocoderOptions {
  /** How long answers are cached: the provider's terms unless GEOCODER_CACHE_TTL overrides. */
  readonly cacheTtlMs: number;
  readonly log?: GeocoderLog;
  /**
   * How often expired cache rows are deleted besides every 100 writes (so rows past their
   * licence's TTL go even when nothing is written); 0: only on writes.
   */
  readonly purgeIntervalMs?: number;
  /** Releases what the provider holds (the Redis connection of a shared rate limit). */
  readonly close?: () => Promise<void>;
}

/** Finest first, as in GEOCODE_PRECISIONS: a lower rank is the more precise result. */
const rank = (result: GeocodeResult): number => GEOCODE_PRECISIONS.indexOf(result.precision);

/** Expired cache rows deleted per purge, and a purge every this many writes. */
const PURGE_BATCH = 500;
const PURGE_EVERY = 100;

/**
 * The provider used when an online geocoder is configured (ADR 0021): online first, offline when
 * it cannot do better.
 * - The offline geocoder always reads the address (microseconds, no network).
 * - The online one is asked only when the address names something finer than offline can place: a
 *   street line or a one-line form. City-only addresses never spend the provider's rate.
 * - Its answer comes from geocode_cache when a live row exists, else from the provider (rate
 *   limited, timed out) and is cached for the provider's TTL, "found nothing" included.
 * - Offline answers when the provider fails, times out, is over its rate, found nothing, found a
 *   place in another country than the address states, or found something coarser than offline.
 * - An online answer's admin parts are read again offline so region codes (GeoNames admin1) and
 *   Chinese district codes (GB/T 2260) are the ones the map's roll-ups group by.
 */
export class FallbackGeocoder implements GeocodingProvider, OnApplicationShutdown {
  readonly name: string;
  private writes = 0;
  private readonly purgeTimer?: NodeJS.Timeout;

  constructor(
    readonly online: OnlineGeocoder,
    private readonly offline: OfflineGeocoder,
    private readonly cache: GeocodeCacheStore,
    private readonly options: FallbackGeocoderOptions,
  ) {
    // Part of LocateCustomer's address fingerprint: switching providers re-geocodes addresses.
    this.name = `${online.name}+offline`;
    const every = options.purgeIntervalMs ?? 0;
    if (every > 0 && options.cacheTtlMs > 0) {
      this.purgeTimer = setInterval(() => void this.purge(), every);
      this.purgeTimer.unref();
    }
  }

  async geocode(address: GeocodeAddress): Promise<GeocodeResult | null> {
    const provider = this.online.name;
    const offline = this.offline.geocodeNow(address);
    const answered = (by: 'online' | 'cache' | 'offline', reason: string) =>
      geocoderAnswers.inc({ provider, answered_by: by, reason });
    // Also not asked: what the provider does not cover (Amap and Baidu: addresses outside China).
    if (!worthAsking(address) || this.online.adapter.request(address) === undefined) {
      answered('offline', 'not_asked');
      return offline;
    }

    let online: GeocodeResult | null;
    let by: 'online' | 'cache' = 'online';
    try {
      const cached = await this.lookup(address);
      if (cached !== undefined) {
        online = cached;
        by = 'cache';
      } else {
        online = await this.online.geocode(address);
        await this.store(address, online);
      }
    } catch {
      // OnlineGeocoder counted and logged it (without the key); the customer still gets a pin.
      answered('offline', 'error');
      return offline;
    }

    if (!online) {
      answered('offline', 'empty');
      return offline;
    }
    const stated = address.countryCode?.trim().toUpperCase();
    if (stated && online.normalized.countryCode && online.normalized.countryCode !== stated) {
      answered('offline', 'other_country');
      return offline;
    }
    if (offline && rank(offline) < rank(online)) {
      answered('offline', 'coarser');
      return offline;
    }
    answered(by, 'found');
    return { ...online, normalized: this.harmonize(online, address, offline) };
  }

  /** Nest calls it on shutdown (the provider comes from GeocoderModule's factory). */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.purgeTimer);
    await this.options.close?.();
  }

  private async lookup(address: GeocodeAddress): Promise<GeocodeResult | null | undefined> {
    const provider = this.online.name;
    if (this.options.cacheTtlMs <= 0) {
      geocoderCache.inc({ provider, result: 'off' });
      return undefined;
    }
    const hit = await this.cache.get(provider, addressHash(address));
    geocoderCache.inc({ provider, result: hit ? 'hit' : 'miss' });
    return hit?.result;
  }

  private async store(address: GeocodeAddress, result: GeocodeResult | null): Promise<void> {
    const { cacheTtlMs } = this.options;
    if (cacheTtlMs <= 0) return;
    try {
      await this.cache.put(
        this.online.name,
        addressHash(address),
        result,
        this.online.adapter.terms,
        cacheTtlMs,
      );
      if (++this.writes % PURGE_EVERY === 0) await this.purge();
    } catch (err) {
      // A cache that cannot be written costs a request next time, not this answer.
      this.options.log?.warn({
        msg: 'geocode cache write failed',
        provider: this.online.name,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  /** Deletes a batch of expired rows; a failure waits for the next purge. */
  async purge(): Promise<number> {
    try {
      return await this.cache.purgeExpired(PURGE_BATCH);
    } catch (err) {
      this.options.log?.warn({
        msg: 'geocode cache purge failed',
        provider: this.online.name,
        error: err instanceof Error ? err.message : String(err),
      });
      return 0;
    }
  }

  /**
   * The online answer's admin names as the offline geocoder reads them (so codes match offline
   * pins); when the provider gave no names (Baidu), the offline reading of the address itself.
   * A district code the provider gave (Amap's adcode) is kept.
   */
  private harmonize(
    online: GeocodeResult,
    address: GeocodeAddress,
    offline: GeocodeResult | null,
  ): NormalizedAddress {
    const given = online.normalized;
    const hasNames = !!(given.region || given.city || given.district);
    const reread = hasNames
      ? this.offline.geocodeNow({
          countryCode: given.countryCode,
          region: given.region?.name ?? '',
          city: given.city ?? '',
          district: given.district?.name ?? '',
        })
      : offline;
    const countryCode = given.countryCode || reread?.normalized.countryCode || '';
    const same = reread && reread.normalized.countryCode === countryCode ? reread.normalized : undefined;
    const region = same?.region ?? given.region;
    const city = same?.city ?? given.city;
    const district = given.district ?? same?.district;
    return {
      countryCode,
      ...(region ? { region } : {}),
      ...(city ? { city } : {}),
      ...(district ? { district } : {}),
    };
  }
}

/** A street line or a one-line form: something an online geocoder can place finer than offline. */
export function worthAsking(address: GeocodeAddress): boolean {
  return !!address.singleLine?.trim() || (address.streetLines ?? []).some((line) => line.trim() !== '');
}
