import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Answers of an online geocoder (GEOCODER=nominatim|pelias|amap|baidu), keyed by provider and a
 * hash of the normalised address, so an address is not sent twice within the provider's allowed
 * TTL. Each row keeps the attribution and licence the answer came under (ODbL asks for the credit
 * with the data) and when it must be gone: rows past `expires_at` are never read and are deleted
 * in small batches as new answers are written (Amap/Baidu forbid keeping answers: TTL 0, no row).
 * `result` NULL records "the provider found nothing" for the same TTL.
 */
export class GeocodeCache1797900000000 implements MigrationInterface {
  name = 'GeocodeCache1797900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE geocode_cache (
        provider      text        NOT NULL,
        address_hash  text        NOT NULL,
        result        jsonb,
        attribution   text        NOT NULL,
        licence       text        NOT NULL,
        cached_at     timestamptz NOT NULL DEFAULT now(),
        expires_at    timestamptz NOT NULL,
        PRIMARY KEY (provider, address_hash),
        CHECK (expires_at > cached_at)
      )`);
    await q.query(`CREATE INDEX geocode_cache_expires_at ON geocode_cache (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE geocode_cache`);
  }
}
