import type { MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  CustomerTier,
  type AddressChangedSchema,
  type CustomerUpsertedSchema,
  type PostalAddressSchema,
} from '@duemap/events';
import type { AddressState, MasterState } from './customer-master';
import type { SourceRefJson } from './customer-record';

type PostalAddressInit = MessageInitShape<typeof PostalAddressSchema>;

/**
 * The address on one line, for display and free-text geocoders: Chinese addresses run from
 * province to street without separators (as Chinese ERPs write them), others from street to
 * country with commas.
 */
export function singleLine(a: AddressState): string {
  if (a.country === 'CN') {
    return [a.province, a.city, a.district, a.line1].filter(Boolean).join('');
  }
  const cityLine = [a.postcode, a.city].filter(Boolean).join(' ');
  return [a.line1, a.district, cityLine, a.province, a.country].filter(Boolean).join(', ');
}

export function postalAddress(a: AddressState): PostalAddressInit {
  return {
    countryCode: a.country,
    region: a.province ?? '',
    city: a.city ?? '',
    district: a.district ?? '',
    postalCode: a.postcode ?? '',
    streetLines: a.line1 === null ? [] : [a.line1],
    singleLine: singleLine(a),
  };
}

export function customerUpsertedEvent(
  customerId: string,
  state: MasterState,
  sources: SourceRefJson[],
  created: boolean,
  at: Date,
  version: bigint,
): MessageInitShape<typeof CustomerUpsertedSchema> {
  return {
    customerId,
    occurredAt: timestampFromDate(at),
    customerVersion: version,
    created,
    sources,
    name: state.name,
    taxId: state.taxId ?? '',
    tier: state.tier === 'vip' ? CustomerTier.VIP : CustomerTier.STANDARD,
    address: state.address === null ? undefined : postalAddress(state.address),
    timeZone: state.timeZone,
    locale: state.locale,
    contacts: state.contacts.map((c) => ({
      name: c.name,
      email: c.email ?? '',
      phone: c.phone ?? '',
      role: c.role ?? '',
      locale: c.locale ?? '',
    })),
    salesTerritory: state.salesTerritory ?? '',
    creditLimit: state.creditLimit?.toJSON(),
  };
}

/** `address` null: the customer no longer has one (its pin must go); the event leaves it unset. */
export function addressChangedEvent(
  customerId: string,
  address: AddressState | null,
  previous: AddressState | null,
  at: Date,
  version: bigint,
): MessageInitShape<typeof AddressChangedSchema> {
  return {
    customerId,
    occurredAt: timestampFromDate(at),
    customerVersion: version,
    address: address === null ? undefined : postalAddress(address),
    previousAddress: previous === null ? undefined : postalAddress(previous),
  };
}
