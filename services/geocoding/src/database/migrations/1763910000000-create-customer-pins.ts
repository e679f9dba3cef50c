import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateCustomerPins1763910000000 implements MigrationInterface {
  name = 'CreateCustomerPins1763910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE customer_pins (
        customer_id          text PRIMARY KEY,
        name                 text        NOT NULL DEFAULT '',
        name_occurred_at     timestamptz,
        latitude             double precision CHECK (latitude BETWEEN -90 AND 90),
        longitude            double precision CHECK (longitude BETWEEN -180 AND 180),
        geocode_precision    text CHECK (geocode_precision IN ('rooftop', 'postcode', 'district', 'city', 'region', 'country')),
        geocode_source       text,
        geocode_state        text CHECK (geocode_state IN ('located', 'failed')),
        geocode_failure      text,
        country_code         text,
        region_code          text,
        region_name          text,
        city                 text,
        address_hash         text,
        location_occurred_at timestamptz,
        geocoded_at          timestamptz,
        status               text        NOT NULL DEFAULT 'paid' CHECK (status IN ('paid', 'unpaid', 'overdue')),
        status_occurred_at   timestamptz,
        balance_occurred_at  timestamptz,
        created_at           timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now(),
        -- A pin has a whole location or none.
        CONSTRAINT customer_pins_location_whole CHECK (
          (latitude IS NULL) = (longitude IS NULL) AND (latitude IS NULL) = (geocode_precision IS NULL)
        )
      )`);
    await q.query(
      `CREATE INDEX customer_pins_located_idx ON customer_pins (longitude, latitude) WHERE latitude IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX customer_pins_region_idx ON customer_pins (country_code, region_code) WHERE latitude IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE customer_pin_balances (
        customer_id       text    NOT NULL REFERENCES customer_pins (customer_id) ON DELETE CASCADE,
        currency          char(3) NOT NULL,
        outstanding_minor bigint  NOT NULL,
        overdue_minor     bigint  NOT NULL,
        PRIMARY KEY (customer_id, currency)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE customer_pin_balances`);
    await q.query(`DROP TABLE customer_pins`);
  }
}
