import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The check constraint customer_pins.geocode_precision got from CREATE TABLE (PostgreSQL's default name). */
const CONSTRAINT = 'customer_pins_geocode_precision_check';

/** GEOCODE_PRECISIONS (geocoder/geocoding-provider.ts) as this migration was written. */
const EIGHT = ['rooftop', 'street', 'postcode', 'district', 'city', 'region', 'country', 'none'];
const SIX = ['rooftop', 'postcode', 'district', 'city', 'region', 'country'];

const check = (values: readonly string[]): string =>
  `CHECK (geocode_precision IN (${values.map((v) => `'${v}'`).join(', ')}))`;

/**
 * The geocoders report 'street' (an online provider's street centre or interpolated number) and
 * the contract knows 'none', but customer_pins allowed the first six precisions only: saving a
 * street-precise pin broke the constraint, the consumer retried the address event into the DLQ
 * and the customer never reached the map. The list is literal, not imported, so that a later
 * change of GEOCODE_PRECISIONS comes with a migration of its own. Added NOT VALID and validated
 * after, so a big pin table is not locked against writes while its rows are checked.
 */
export class PinPrecisions1797800000000 implements MigrationInterface {
  name = 'PinPrecisions1797800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customer_pins DROP CONSTRAINT IF EXISTS ${CONSTRAINT}`);
    await q.query(`ALTER TABLE customer_pins ADD CONSTRAINT ${CONSTRAINT} ${check(EIGHT)} NOT VALID`);
    await q.query(`ALTER TABLE customer_pins VALIDATE CONSTRAINT ${CONSTRAINT}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customer_pins DROP CONSTRAINT IF EXISTS ${CONSTRAINT}`);
    // NOT VALID: rows saved with 'street' meanwhile stay; new ones are refused as before.
    await q.query(`ALTER TABLE customer_pins ADD CONSTRAINT ${CONSTRAINT} ${check(SIX)} NOT VALID`);
  }
}
