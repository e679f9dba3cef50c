import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { GeocodeAddress, GeocodeResult } from '../geocoding-provider';
import type { ProviderTerms } from './online-adapter';

/** A cached answer: `result` null when the provider found nothing. */
export interface CachedAnswer {
  readonly result: GeocodeResult | null;
  readonly attribution: string;
  readonly licence: string;
}

/** Where online answers are kept; geocode_cache in Postgres, an in-memory map in unit tests. */
export interface GeocodeCacheStore {
  get(provider: string, addressHash: string): Promise<CachedAnswer | undefined>;
  put(
    provider: string,
    addressHash: string,
    result: GeocodeResult | null,
    terms: ProviderTerms,
    ttlMs: number,
  ): Promise<void>;
  /** Deletes up to `limit` expired rows; returns how many. */
  purgeExpired(limit: number): Promise<number>;
}

/**
 * The address as a provider would read it, hashed: parts trimmed, NFKC (full-width -> half-width),
 * lower-cased, runs of blanks made one, so "Berliner Str. 1 " and "berliner str. 1" share a row.
 */
export function addressHash(address: GeocodeAddress): string {
  const norm = (value: string | undefined): string =>
    (value ?? '').normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  const parts = [
    norm(address.countryCode),
    norm(address.region),
    norm(address.city),
    norm(address.district),
    norm(address.postalCode),
    (address.streetLines ?? []).map(norm).filter(Boolean),
    norm(address.singleLine),
  ];
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
}

/** geocode_cache (migration 1797900000000) with explicit SQL. */
export class GeocodeCacheRepository implements GeocodeCacheStore {
  constructor(private readonly dataSource: DataSource) {}

  async get(provider: string, hash: string): Promise<CachedAnswer | undefined> {
    const rows = await this.dataSource.query<
      { result: GeocodeResult | null; attribution: string; licence: string }[]
    >(
      `SELECT result, attribution, licence FROM geocode_cache
        WHERE provider = $1 AND address_hash = $2 AND expires_at > now()`,
      [provider, hash],
    );
    const row = rows[0];
    return row ? { result: row.result, attribution: row.attribution, licence: row.licence } : undefined;
  }

  async put(
    provider: string,
    hash: string,
    result: GeocodeResult | null,
    terms: ProviderTerms,
    ttlMs: number,
  ): Promise<void> {
    if (ttlMs <= 0) return;
    await this.dataSource.query(
      `INSERT INTO geocode_cache (provider, address_hash, result, attribution, licence, cached_at, expires_at)
       VALUES ($1, $2, $3::jsonb, $4, $5, now(), now() + $6 * interval '1 millisecond')
       ON CONFLICT (provider, address_hash) DO UPDATE
         SET result = EXCLUDED.result, attribution = EXCLUDED.attribution, licence = EXCLUDED.licence,
             cached_at = EXCLUDED.cached_at, expires_at = EXCLUDED.expires_at`,
      [
        provider,
        hash,
        result === null ? null : JSON.stringify(result),
        terms.attribution,
        terms.licence,
        ttlMs,
      ],
    );
  }

  async purgeExpired(limit: number): Promise<number> {
    const rows = await this.dataSource.query<{ n: string }[]>(
      `WITH gone AS (
         DELETE FROM geocode_cache WHERE ctid IN (
           SELECT ctid FROM geocode_cache WHERE expires_at <= now() LIMIT $1
         ) RETURNING 1
       ) SELECT count(*)::text AS n FROM gone`,
      [limit],
    );
    return Number(rows[0]?.n ?? 0);
  }
}
