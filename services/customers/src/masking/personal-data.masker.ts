import { mayReadPersonalData, type Identity } from '@duemap/auth';
import type { AddressState, ContactState } from '../customers/customer-master';
import type { CustomerView } from '../customers/customer-record';
import type { CustomerPage } from '../customers/usecases/list-customers.usecase';

/**
 * Personal fields as a caller without `personal-data:read` (viewer, integration) sees them (PIPL:
 * no more than the purpose needs). Enough is left to tell records apart and to recognise one's own
 * (the last digits of a tax id or phone, an e-mail's domain); country, province, city and district
 * stay clear because the map and the region roll-ups are built on them. Company names are not
 * personal data and stay as they are.
 */
const HIDDEN = '****';

/** Code points, so a Chinese name or a surrogate pair is never cut in half. */
function chars(value: string): string[] {
  return Array.from(value);
}

/** `91440300MA5ABCDE12` → `****DE12`: the last four identify a record to someone who has it. */
export function maskTaxId(taxId: string): string {
  const all = chars(taxId.trim());
  return all.length <= 4 ? HIDDEN : `${HIDDEN}${all.slice(-4).join('')}`;
}

/** `alice@example.com` → `a***@example.com`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return maskName(email);
  return `${chars(email)[0] ?? ''}***${email.slice(at)}`;
}

/** `13800135678` → `138****5678`, `+86 138 0013 5678` → `+86****5678`; short numbers keep two digits. */
export function maskPhone(phone: string): string {
  const compact = phone.replace(/[^\d+]/g, '');
  const digits = compact.replace(/\D/g, '');
  if (digits.length >= 8) return `${compact.slice(0, 3)}${HIDDEN}${digits.slice(-4)}`;
  if (digits.length >= 4) return `${HIDDEN}${digits.slice(-2)}`;
  return HIDDEN;
}

/** `李娜` → `李*`, `Alice Wang` → `A***`: a family name (first character) alone says little. */
export function maskName(name: string): string {
  const first = chars(name.trim())[0];
  if (first === undefined) return '';
  return /\p{Script=Han}/u.test(first) ? `${first}*` : `${first}***`;
}

/** The street line says where a person can be found; nothing of it is shown. */
export function maskStreet(line1: string): string {
  return line1.trim() === '' ? line1 : HIDDEN;
}

/** `518057` → `51****`: the first digits name the area, which the province already shows. */
export function maskPostcode(postcode: string): string {
  const all = chars(postcode.trim());
  return all.length <= 2 ? HIDDEN : `${all.slice(0, 2).join('')}${HIDDEN}`;
}

export function maskContact(contact: ContactState): ContactState {
  return {
    ...contact,
    name: maskName(contact.name),
    email: contact.email === null ? null : maskEmail(contact.email),
    phone: contact.phone === null ? null : maskPhone(contact.phone),
  };
}

export function maskAddress(address: AddressState): AddressState {
  return {
    ...address,
    line1: address.line1 === null ? null : maskStreet(address.line1),
    postcode: address.postcode === null ? null : maskPostcode(address.postcode),
  };
}

export function maskCustomer(customer: CustomerView): CustomerView {
  return {
    ...customer,
    taxId: customer.taxId === null ? null : maskTaxId(customer.taxId),
    address: customer.address === null ? null : maskAddress(customer.address),
    contacts: customer.contacts.map(maskContact),
  };
}

/** The customer as this caller may see it: as stored with `personal-data:read`, masked without. */
export function customerFor(identity: Identity, customer: CustomerView): CustomerView {
  return mayReadPersonalData(identity) ? customer : maskCustomer(customer);
}

export function customerPageFor(identity: Identity, page: CustomerPage): CustomerPage {
  return mayReadPersonalData(identity) ? page : { ...page, items: page.items.map(maskCustomer) };
}
