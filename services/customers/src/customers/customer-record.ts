import { Injectable } from '@nestjs/common';
import { provinceKey } from '@duemap/auth';
import { Money, type MoneyJson } from '@duemap/money';
import { PiiCipher } from '../pii/pii-cipher';
import type { ArStatusName, CustomerEntity, CustomerSourceEntity, StoredBalance } from './customer.entity';
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

export type LocationPrecisionName = 'rooftop' | 'postcode' | 'district' | 'city' | 'region' | 'country';

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
  location: { lat: number; lng: number; precision: LocationPrecisionName | null } | null;
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
      location:
        row.latitude === null || row.longitude === null
          ? null
          : {
              lat: row.latitude,
              lng: row.longitude,
              precision: row.locationPrecision as LocationPrecisionName | null,
            },
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }
}
