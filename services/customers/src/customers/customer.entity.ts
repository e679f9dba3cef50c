import { Column, Entity, PrimaryColumn } from 'typeorm';

export type CustomerTierName = 'standard' | 'vip';
export type ArStatusName = 'paid' | 'unpaid' | 'overdue';
/** pending: no verdict of geocoding yet; located: customer-geocoded; not_located: geocode-failed. */
export type LocationStateName = 'pending' | 'located' | 'not_located';

/** One place an ambiguous address may mean, as stored in `customers.location_candidates`. */
export interface StoredCandidate {
  label: string;
  /** GB/T 2260 code in China, else null. */
  code: string | null;
  /** What the code names (region, city, district); null without a code that says. */
  precision: 'region' | 'city' | 'district' | null;
}

/** One currency's balance as stored in `customers.balances` (minor units as decimal strings). */
export interface StoredBalance {
  currency: string;
  outstanding: string;
  overdue: string;
  unapplied: string;
}

/**
 * The customer master plus the projections customers owns about it (balance, AR status,
 * location). Street line, postcode and contacts are ciphertexts; see PiiCipher.
 */
@Entity({ name: 'customers' })
export class CustomerEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'tax_id', type: 'text', nullable: true })
  taxId!: string | null;

  @Column({ type: 'text' })
  tier!: CustomerTierName;

  @Column({ type: 'char', length: 2, nullable: true })
  country!: string | null;

  @Column({ type: 'text', nullable: true })
  province!: string | null;

  /** `provinceKey(country, province)` of @duemap/auth, '' without one: what territories compare. */
  @Column({ name: 'province_key', type: 'text', default: '' })
  provinceKey!: string;

  @Column({ type: 'text', nullable: true })
  city!: string | null;

  @Column({ type: 'text', nullable: true })
  district!: string | null;

  /** Sealed `{line1, postcode}`. */
  @Column({ name: 'address_secret', type: 'text', nullable: true })
  addressSecret!: string | null;

  /** Sealed contact list. */
  @Column({ name: 'contacts_secret', type: 'text', nullable: true })
  contactsSecret!: string | null;

  @Column({ name: 'time_zone', type: 'text' })
  timeZone!: string;

  /** True when the time zone was derived from the country rather than given. */
  @Column({ name: 'time_zone_derived', type: 'boolean' })
  timeZoneDerived!: boolean;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ type: 'text' })
  locale!: string;

  @Column({ name: 'credit_limit_minor', type: 'bigint', nullable: true })
  creditLimitMinor!: string | null;

  @Column({ name: 'credit_limit_currency', type: 'char', length: 3, nullable: true })
  creditLimitCurrency!: string | null;

  @Column({ name: 'sales_territory', type: 'text', nullable: true })
  salesTerritory!: string | null;

  @Column({ name: 'credit_rating', type: 'text', nullable: true })
  creditRating!: string | null;

  @Column({ name: 'ar_status', type: 'text' })
  arStatus!: ArStatusName;

  @Column({ type: 'jsonb' })
  balances!: StoredBalance[];

  @Column({ type: 'double precision', nullable: true })
  latitude!: number | null;

  @Column({ type: 'double precision', nullable: true })
  longitude!: number | null;

  @Column({ name: 'location_precision', type: 'text', nullable: true })
  locationPrecision!: string | null;

  @Column({ name: 'location_source', type: 'text', nullable: true })
  locationSource!: string | null;

  @Column({ name: 'location_occurred_at', type: 'timestamptz', nullable: true })
  locationOccurredAt!: Date | null;

  @Column({ name: 'location_state', type: 'text', default: 'pending' })
  locationState!: LocationStateName;

  /** geocode-failed's reason, the proto enum's name lower-case ("no_match"); null unless not_located. */
  @Column({ name: 'location_failure_reason', type: 'text', nullable: true })
  locationFailureReason!: string | null;

  @Column({ name: 'location_failure_detail', type: 'text', nullable: true })
  locationFailureDetail!: string | null;

  /** True when geocoding retries by itself; false when only a corrected address helps. */
  @Column({ name: 'location_will_retry', type: 'boolean', nullable: true })
  locationWillRetry!: boolean | null;

  @Column({ name: 'location_candidates', type: 'jsonb', default: () => "'[]'" })
  locationCandidates!: StoredCandidate[];

  /** 0..1, of the geocoder's best reading; null when the verdict carried none. */
  @Column({ name: 'location_confidence', type: 'double precision', nullable: true })
  locationConfidence!: number | null;

  /** geocode_version of the verdict the location comes from; 0 when it had none (or none came). */
  @Column({ name: 'location_version', type: 'bigint', default: 0 })
  locationVersion!: string;

  /**
   * Incremented, under the row lock, with every change customers announces (master data, balance,
   * status); its events carry it, so consumers order them without trusting clocks. Bigint as text.
   */
  @Column({ type: 'bigint', default: 0 })
  version!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** A record of a source system (ERP) mapped to a customer; several per customer. */
@Entity({ name: 'customer_sources' })
export class CustomerSourceEntity {
  @PrimaryColumn({ name: 'source_system', type: 'text' })
  sourceSystem!: string;

  @PrimaryColumn({ name: 'external_id', type: 'text' })
  externalId!: string;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
