import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where each customer is (customer_placements, applied by @duemap/auth's applyPlacementChange from
 * customers.customer-upserted.v1 and customers.address-changed.v1), so that a collector's territory
 * is one SQL predicate on any read. The address and the sales territory keep their own event
 * positions: address-changed carries the address only, on a topic of its own.
 */
export class CustomerPlacements1797000000000 implements MigrationInterface {
  name = 'CustomerPlacements1797000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS customer_placements (
        customer_id         text        PRIMARY KEY,
        country             text        NOT NULL DEFAULT '',
        province_key        text        NOT NULL DEFAULT '',
        address_version     bigint      NOT NULL DEFAULT 0,
        address_occurred_at timestamptz,
        sales_territory     text        NOT NULL DEFAULT '',
        sales_version       bigint      NOT NULL DEFAULT 0,
        sales_occurred_at   timestamptz,
        updated_at          timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE customer_placements`);
  }
}

/**
 * The migrations of customer_placements, for every service that keeps the projection (all but
 * customers); listed in the service's data source like messagingMigrations. Kept under the name
 * the services first ran it with, so databases migrated before it moved here see it as applied.
 */
export const placementMigrations = [CustomerPlacements1797000000000];
