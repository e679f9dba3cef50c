import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateCustomers1763900001000 implements MigrationInterface {
  name = 'CreateCustomers1763900001000';

  async up(q: QueryRunner): Promise<void> {
    // Country, province, city and district stay in clear text: regional roll-ups, the region
    // filter and geocoding need them. The street line and postcode (address_secret) and the
    // contacts (contacts_secret) are AES-256-GCM ciphertexts (src/pii/pii-cipher.ts).
    await q.query(`
      CREATE TABLE customers (
        id                    uuid        PRIMARY KEY,
        name                  text        NOT NULL,
        tax_id                text,
        tier                  text        NOT NULL CHECK (tier IN ('standard', 'vip')),
        country               char(2),
        province              text,
        city                  text,
        district              text,
        address_secret        text,
        contacts_secret       text,
        time_zone             text        NOT NULL,
        time_zone_derived     boolean     NOT NULL,
        currency              char(3)     NOT NULL,
        locale                text        NOT NULL,
        credit_limit_minor    bigint,
        credit_limit_currency char(3),
        sales_territory       text,
        credit_rating         text,
        ar_status             text        NOT NULL DEFAULT 'paid' CHECK (ar_status IN ('paid', 'unpaid', 'overdue')),
        balances              jsonb       NOT NULL DEFAULT '[]',
        latitude              double precision,
        longitude             double precision,
        location_precision    text,
        location_source       text,
        location_occurred_at  timestamptz,
        created_at            timestamptz NOT NULL DEFAULT now(),
        updated_at            timestamptz NOT NULL DEFAULT now(),
        CHECK ((credit_limit_minor IS NULL) = (credit_limit_currency IS NULL)),
        CHECK ((latitude IS NULL) = (longitude IS NULL))
      )`);
    // One customer per tax id: that is what merging by tax id means, and the index keeps two
    // concurrent upserts from creating twins.
    await q.query(`CREATE UNIQUE INDEX customers_tax_id_key ON customers (tax_id) WHERE tax_id IS NOT NULL`);
    await q.query(`CREATE INDEX customers_name_id_idx ON customers (name, id)`);
    await q.query(`CREATE INDEX customers_ar_status_idx ON customers (ar_status)`);
    await q.query(`CREATE INDEX customers_country_province_idx ON customers (country, lower(province))`);
    await q.query(`CREATE INDEX customers_province_idx ON customers (lower(province))`);

    await q.query(`
      CREATE TABLE customer_sources (
        source_system text        NOT NULL,
        external_id   text        NOT NULL,
        customer_id   uuid        NOT NULL REFERENCES customers (id),
        created_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (source_system, external_id)
      )`);
    await q.query(`CREATE INDEX customer_sources_customer_idx ON customer_sources (customer_id)`);

    // Projection of invoicing's invoices: only what balances and status need. customer_id is
    // text and has no foreign key: it is whatever the event said, even a customer unknown here.
    await q.query(`
      CREATE TABLE invoice_balances (
        invoice_id       text        PRIMARY KEY,
        customer_id      text        NOT NULL,
        currency         char(3)     NOT NULL,
        open_minor       bigint      NOT NULL,
        overdue          boolean     NOT NULL,
        void             boolean     NOT NULL,
        last_occurred_at timestamptz NOT NULL,
        updated_at       timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX invoice_balances_customer_idx ON invoice_balances (customer_id)`);

    // Unapplied credit as a ledger: one signed entry per fact (a payment's unapplied part, a
    // rejected allocation, a reversal, a refund), keyed so that a fact counts once.
    await q.query(`
      CREATE TABLE credit_entries (
        entry_key    text        PRIMARY KEY,
        customer_id  text        NOT NULL,
        kind         text        NOT NULL
                     CHECK (kind IN ('payment-unapplied', 'allocation-rejected', 'payment-reversed', 'refund')),
        payment_id   text,
        currency     char(3)     NOT NULL,
        amount_minor bigint      NOT NULL,
        occurred_at  timestamptz NOT NULL,
        recorded_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX credit_entries_customer_idx ON credit_entries (customer_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE credit_entries`);
    await q.query(`DROP TABLE invoice_balances`);
    await q.query(`DROP TABLE customer_sources`);
    await q.query(`DROP TABLE customers`);
  }
}
