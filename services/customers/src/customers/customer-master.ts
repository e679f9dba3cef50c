import type { Money } from '@duemap/money';
import type { CustomerTierName } from './customer.entity';
import { DEFAULT_CURRENCY, defaultLocale, defaultTimeZone } from './customer-defaults';

/** A customer's address; country, province, city and district are plain, line1 and postcode PII. */
export interface AddressState {
  country: string;
  province: string | null;
  city: string | null;
  district: string | null;
  line1: string | null;
  postcode: string | null;
}

export interface ContactState {
  name: string;
  email: string | null;
  phone: string | null;
  role: string | null;
  locale: string | null;
}

/** The master data of a customer: what an upsert sets and customer-upserted carries. */
export interface MasterState {
  name: string;
  taxId: string | null;
  tier: CustomerTierName;
  address: AddressState | null;
  timeZone: string;
  /** The zone came from the country, so a new country brings a new zone. */
  timeZoneDerived: boolean;
  currency: string;
  locale: string;
  creditLimit: Money | null;
  contacts: ContactState[];
  salesTerritory: string | null;
}

/**
 * One source's view of the customer. For every optional field: `undefined` (left out) keeps what
 * the customer has, because several ERPs feed one customer and each knows only part of it;
 * `null` clears it (back to the default where there is one); a value sets it.
 */
export interface UpsertCustomerInput {
  name: string;
  taxId?: string | null;
  tier?: CustomerTierName | null;
  address?: AddressState | null;
  timeZone?: string | null;
  currency?: string | null;
  locale?: string | null;
  creditLimit?: Money | null;
  contacts?: ContactState[] | null;
  salesTerritory?: string | null;
}

/** Tax ids are compared without spaces and case: "91440300 ma5 fxxxx" is "91440300MA5FXXXX". */
export function normalizeTaxId(taxId: string): string {
  return taxId.replace(/\s+/g, '').toUpperCase();
}

function keep<T>(given: T | null | undefined, previous: T | undefined, fallback: T): T {
  if (given === undefined) return previous ?? fallback;
  return given ?? fallback;
}

export function mergeMaster(previous: MasterState | undefined, input: UpsertCustomerInput): MasterState {
  const address = input.address === undefined ? (previous?.address ?? null) : input.address;
  const country = address?.country ?? null;
  let timeZone: string;
  let timeZoneDerived: boolean;
  if (typeof input.timeZone === 'string') {
    [timeZone, timeZoneDerived] = [input.timeZone, false];
  } else if (input.timeZone === undefined && previous !== undefined && !previous.timeZoneDerived) {
    [timeZone, timeZoneDerived] = [previous.timeZone, false];
  } else {
    [timeZone, timeZoneDerived] = [defaultTimeZone(country), true];
  }
  return {
    name: input.name,
    taxId: input.taxId === undefined ? (previous?.taxId ?? null) : input.taxId && normalizeTaxId(input.taxId),
    tier: keep(input.tier, previous?.tier, 'standard'),
    address,
    timeZone,
    timeZoneDerived,
    currency: keep(input.currency, previous?.currency, DEFAULT_CURRENCY),
    locale: keep(input.locale, previous?.locale, defaultLocale(country)),
    creditLimit: input.creditLimit === undefined ? (previous?.creditLimit ?? null) : input.creditLimit,
    contacts: keep(input.contacts, previous?.contacts, []),
    salesTerritory:
      input.salesTerritory === undefined ? (previous?.salesTerritory ?? null) : input.salesTerritory,
  };
}

/** JSON with object keys sorted, so that equal values compare equal whatever built them. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return Object.fromEntries(entries);
  });
}

/** Value equality of two master states (Money compared by value). */
export function sameMaster(a: MasterState, b: MasterState): boolean {
  const plain = (s: MasterState) => ({ ...s, creditLimit: s.creditLimit && s.creditLimit.toJSON() });
  return canonical(plain(a)) === canonical(plain(b));
}

export function sameAddress(a: AddressState | null, b: AddressState | null): boolean {
  return canonical(a) === canonical(b);
}
