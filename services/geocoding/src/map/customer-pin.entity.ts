import { Column, Entity, OneToMany, PrimaryColumn, type Relation } from 'typeorm';
import type { GeocodePrecision } from '../geocoder/geocoding-provider';
import { CustomerPinBalanceEntity } from './customer-pin-balance.entity';

export const PIN_STATUSES = ['paid', 'unpaid', 'overdue'] as const;
/** A customer's AR status, the colour of its pin. */
export type PinStatus = (typeof PIN_STATUSES)[number];

export const PIN_TIERS = ['standard', 'vip'] as const;
/** The customer's service tier (customer-upserted); 'standard' until one is known. */
export type PinTier = (typeof PIN_TIERS)[number];

export type GeocodeState = 'located' | 'failed';

/**
 * The map's projection of a customer: where it is (from geocoding its address) and what it owes
 * (from the customers service's status and balance events). Any of those events may arrive
 * first; each part keeps the customer version and occurred_at of the last event applied to it and
 * ignores older ones (compareEventPositions in @duemap/events). Bigint versions are text here.
 * Holds no street address: only the country / region / city summary.
 */
@Entity({ name: 'customer_pins' })
export class CustomerPinEntity {
  @PrimaryColumn({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ type: 'text', default: '' })
  name!: string;

  @Column({ name: 'name_occurred_at', type: 'timestamptz', nullable: true })
  nameOccurredAt!: Date | null;

  @Column({ name: 'name_version', type: 'bigint', default: 0 })
  nameVersion!: string;

  @Column({ type: 'double precision', nullable: true })
  latitude!: number | null;

  @Column({ type: 'double precision', nullable: true })
  longitude!: number | null;

  @Column({ name: 'geocode_precision', type: 'text', nullable: true })
  precision!: GeocodePrecision | null;

  @Column({ name: 'geocode_source', type: 'text', nullable: true })
  source!: string | null;

  /** null until the first address event. */
  @Column({ name: 'geocode_state', type: 'text', nullable: true })
  geocodeState!: GeocodeState | null;

  /** Why the last geocode failed (proto GeocodeFailureReason, lower case). */
  @Column({ name: 'geocode_failure', type: 'text', nullable: true })
  geocodeFailure!: string | null;

  /** As normalised by the geocoder when located; as given when not. */
  @Column({ name: 'country_code', type: 'text', nullable: true })
  countryCode!: string | null;

  @Column({ name: 'region_code', type: 'text', nullable: true })
  regionCode!: string | null;

  @Column({ name: 'region_name', type: 'text', nullable: true })
  regionName!: string | null;

  @Column({ type: 'text', nullable: true })
  city!: string | null;

  /** Fingerprint of the last address geocoded (and the provider), so an unchanged one is not redone. */
  @Column({ name: 'address_hash', type: 'text', nullable: true })
  addressHash!: string | null;

  @Column({ name: 'location_occurred_at', type: 'timestamptz', nullable: true })
  locationOccurredAt!: Date | null;

  /** customer_version of the address event the location is for. */
  @Column({ name: 'location_version', type: 'bigint', default: 0 })
  locationVersion!: string;

  /** Incremented under the pin's lock with every verdict (customer-geocoded, geocode-failed) it carries. */
  @Column({ name: 'geocode_version', type: 'bigint', default: 0 })
  geocodeVersion!: string;

  @Column({ name: 'geocoded_at', type: 'timestamptz', nullable: true })
  geocodedAt!: Date | null;

  /** 'paid' until a status event says otherwise: a customer without invoices owes nothing. */
  @Column({ type: 'text', default: 'paid' })
  status!: PinStatus;

  @Column({ name: 'status_occurred_at', type: 'timestamptz', nullable: true })
  statusOccurredAt!: Date | null;

  @Column({ name: 'status_version', type: 'bigint', default: 0 })
  statusVersion!: string;

  @Column({ name: 'balance_occurred_at', type: 'timestamptz', nullable: true })
  balanceOccurredAt!: Date | null;

  @Column({ name: 'balance_version', type: 'bigint', default: 0 })
  balanceVersion!: string;

  @Column({ type: 'text', default: 'standard' })
  tier!: PinTier;

  /** Position of the customer-upserted event the tier is from. */
  @Column({ name: 'profile_version', type: 'bigint', default: 0 })
  profileVersion!: string;

  @Column({ name: 'profile_occurred_at', type: 'timestamptz', nullable: true })
  profileOccurredAt!: Date | null;

  /** The ERP systems the customer has records in (customer-upserted sources), lower case. */
  @Column({ name: 'source_systems', type: 'text', array: true, default: () => "'{}'" })
  sourceSystems!: string[];

  /** The enterprise's own credit grade (credit-rating-changed), e.g. "A"; null when none. */
  @Column({ name: 'credit_grade', type: 'text', nullable: true })
  creditGrade!: string | null;

  @Column({ name: 'rating_version', type: 'bigint', default: 0 })
  ratingVersion!: string;

  @Column({ name: 'rating_occurred_at', type: 'timestamptz', nullable: true })
  ratingOccurredAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  @OneToMany(() => CustomerPinBalanceEntity, (b) => b.pin)
  balances?: Relation<CustomerPinBalanceEntity>[];
}
