import { Injectable } from '@nestjs/common';
import { provinceKey } from '@duemap/auth';
import { Money, type MoneyJson } from '@duemap/money';
import { PiiCipher } from '../pii/pii-cipher';
import type {
  ArStatusName,
  CustomerEntity,
  CustomerSourceEntity,
  LocationStateName,
  StoredBalance,
  StoredCandidate,
} from './customer.entity';
import type { AddressState, ContactState, MasterState } from './customer-master';

interface SealedAddressPart {
  line1: string | null;
  postcode: string | null;
}

export interface SourceRefJson {
  sourceSystem: string;
  externalId: string;
}

export interface CurrencyBalanceJson {
  currency: string;
  outstanding: MoneyJson;
  overdue: MoneyJson;
  unappliedCredit: MoneyJson;
}

export const LOCATION_PRECISIONS = [
  'rooftop',
  'street',
  'postcode',
  'district',
  'city',
  'region',
  'country',
] as const;
export type LocationPrecisionName = (typeof LOCATION_PRECISIONS)[number];

/** geocode-failed's reasons: the proto enum's names without the prefix, lower-case. */
export const GEOCODE_FAILURE_REASONS = [
  'unspecified',
  'no_match',
  'ambiguous',
  'incomplete_address',
  'provider_unavailable',
  'country_only',
] as const;
export type GeocodeFailureReasonName = (typeof GEOCODE_FAILURE_REASONS)[number];

export const LOCATION_STATES: readonly LocationStateName[] = ['pending', 'located', 'not_located'];

/**
 * Where the customer is, as geocoding last said: located with a point, not located with the
 * reason (so an AR clerk knows what to fix), or pending before any verdict about its current
 * address. lat/lng/precision kept their names from when `location` was the point or null.
 */
export interface LocationView {
  state: LocationStateName;
  lat: number | null;
  lng: number | null;
  precision: LocationPrecisionName | null;
  source: string | null;
  confidence: number | null;
  reason: GeocodeFailureReasonName | null;
  detail: string | null;
  willRetry: boolean | null;
  candidates: StoredCandidate[];
  /** When geocoding reached its verdict; null while pending. */
  geocodedAt: string | null;
}

/** The columns of a location without a verdict: a new customer's, or one whose address changed. */
export function noLocationVerdict(): Pick<
  CustomerEntity,
  | 'locationState'
  | 'locationFailureReason'
  | 'locationFailureDetail'
  | 'locationWillRetry'
  | 'locationCandidates'
  | 'locationConfidence'
> {
  return {
    locationState: 'pending',
    locationFailureReason: null,
    locationFailureDetail: null,
    locationWillRetry: null,
    locationCandidates: [],
    locationConfidence: null,
  };
}

/** The customer JSON of the HTTP API. */
export interface CustomerView {
  id: string;
  name: string;
  taxId: string | null;
  tier: MasterState['tier'];
  sources: SourceRefJson[];
  address: AddressState | null;
  timeZone: string;
  currency: string;
  locale: string;
  creditLimit: MoneyJson | null;
  contacts: ContactState[];
  salesTerritory: string | null;
  status: ArStatusName;
  balance: Omit<CurrencyBalanceJson, 'currency'>;
  balances: CurrencyBalanceJson[];
  creditRating: string | null;
  location: LocationView;
  createdAt: string;
  updatedAt: string;
}

const addressContext = (id: string) => `customer:${id}:address`;
const contactsContext = (id: string) => `customer:${id}:contacts`;

export function balanceJson(b: StoredBalance): CurrencyBalanceJson {
  return {
    currency: b.currency,
    outstanding: Money.fromMinor(BigInt(b.outstanding), b.currency).toJSON(),
    overdue: Money.fromMinor(BigInt(b.overdue), b.currency).toJSON(),
    unappliedCredit: Money.fromMinor(BigInt(b.unapplied), b.currency).toJSON(),
  };
}

export function locationView(row: CustomerEntity): LocationView {
  const pending = row.locationState === 'pending';
  return {
    state: row.locationState,
    lat: row.latitude,
    lng: row.longitude,
    precision: row.locationPrecision as LocationPrecisionName | null,
    source: row.locationSource,
    confidence: row.locationConfidence,
    reason: row.locationFailureReason as GeocodeFailureReasonName | null,
    detail: row.locationFailureDetail,
    willRetry: row.locationWillRetry,
    candidates: row.locationCandidates,
    // location_occurred_at outlives an address change (it orders the verdicts), the verdict does not.
    geocodedAt: pending ? null : (row.locationOccurredAt?.toISOString() ?? null),
  };
}

/**
 * Moves master data between its stored form (PII sealed, money in minor units) and its
 * domain form, and renders the API JSON. The only place that knows which columns are sealed.
 */
@Injectable()
export class CustomerRecords {
  constructor(private readonly cipher: PiiCipher) {}

  readMaster(row: CustomerEntity): MasterState {
    let address: AddressState | null = null;
    if (row.country !== null) {
      const sealed: SealedAddressPart =
        row.addressSecret === null
          ? { line1: null, postcode: null }
          : this.cipher.decryptJson<SealedAddressPart>(row.addressSecret, addressContext(row.id));
      address = {
        country: row.country,
        province: row.province,
        city: row.city,
        district: row.district,
        line1: sealed.line1,
        postcode: sealed.postcode,
      };
    }
    const contacts =
      row.contactsSecret === null
        ? []
        : this.cipher.decryptJson<ContactState[]>(row.contactsSecret, contactsContext(row.id));
    return {
      name: row.name,
      taxId: row.taxId,
      tier: row.tier,
      address,
      timeZone: row.timeZone,
      timeZoneDerived: row.timeZoneDerived,
      currency: row.currency,
      locale: row.locale,
      creditLimit:
        row.creditLimitMinor === null || row.creditLimitCurrency === null
          ? null
          : Money.fromMinor(BigInt(row.creditLimitMinor), row.creditLimitCurrency),
      contacts,
      salesTerritory: row.salesTerritory,
    };
  }

  /** Writes `state` into `row` (which must have its id), sealing the personal parts. */
  writeMaster(row: CustomerEntity, state: MasterState): void {
    const { address } = state;
    row.name = state.name;
    row.taxId = state.taxId;
    row.tier = state.tier;
    row.country = address?.country ?? null;
    row.province = address?.province ?? null;
    row.provinceKey = provinceKey(row.country ?? '', row.province);
    row.city = address?.city ?? null;
    row.district = address?.district ?? null;
    row.addressSecret =
      address === null || (address.line1 === null && address.postcode === null)
        ? null
        : this.cipher.encryptJson(
            { line1: address.line1, postcode: address.postcode } satisfies SealedAddressPart,
            addressContext(row.id),
          );
    row.contactsSecret =
      state.contacts.length === 0 ? null : this.cipher.encryptJson(state.contacts, contactsContext(row.id));
    row.timeZone = state.timeZone;
    row.timeZoneDerived = state.timeZoneDerived;
    row.currency = state.currency;
    row.locale = state.locale;
    row.creditLimitMinor = state.creditLimit === null ? null : state.creditLimit.minor.toString();
    row.creditLimitCurrency = state.creditLimit?.currency ?? null;
    row.salesTerritory = state.salesTerritory;
  }

  toView(row: CustomerEntity, sources: CustomerSourceEntity[], master = this.readMaster(row)): CustomerView {
    const balances = [...row.balances].sort((a, b) => (a.currency < b.currency ? -1 : 1)).map(balanceJson);
    const own = balances.find((b) => b.currency === row.currency);
    const zero = Money.zero(row.currency).toJSON();
    return {
      id: row.id,
      name: master.name,
      taxId: master.taxId,
      tier: master.tier,
      sources: [...sources]
        .sort(
          (a, b) =>
            a.createdAt.getTime() - b.createdAt.getTime() ||
            (a.sourceSystem + '\u0000' + a.externalId < b.sourceSystem + '\u0000' + b.externalId ? -1 : 1),
        )
        .map((s) => ({ sourceSystem: s.sourceSystem, externalId: s.externalId })),
      address: master.address,
      timeZone: master.timeZone,
      currency: master.currency,
      locale: master.locale,
      creditLimit: master.creditLimit?.toJSON() ?? null,
      contacts: master.contacts,
      salesTerritory: master.salesTerritory,
      status: row.arStatus,
      balance: {
        outstanding: own?.outstanding ?? zero,
        overdue: own?.overdue ?? zero,
        unappliedCredit: own?.unappliedCredit ?? zero,
      },
      balances,
      creditRating: row.creditRating,
      location: locationView(row),
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }
}
