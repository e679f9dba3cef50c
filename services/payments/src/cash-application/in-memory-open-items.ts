import type { Money } from '@duemap/money';
import type { CustomerProfile, OpenInvoice, OpenItemsView } from './cash-application.types';
import { invoiceNumberIndexKeys } from './invoice-numbers';
import { customerNameIndexKeys, normaliseAccount } from './payer-names';

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

const byDueDate = (a: OpenInvoice, b: OpenInvoice): number => {
  const ka = `${a.dueDate ?? '9999'}|${a.number}|${a.invoiceId}`;
  const kb = `${b.dueDate ?? '9999'}|${b.number}|${b.invoiceId}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/**
 * The open-items view over arrays, with the same keyed indexes a SQL implementation keeps in side
 * tables (number keys, name keys, accounts, open amount). The reference implementation of
 * OpenItemsView for the unit specs and `npm run bench:match`; a service could also keep one as a
 * cache of its read model.
 */
export class InMemoryOpenItems implements OpenItemsView {
  private readonly invoices = new Map<string, OpenInvoice>();
  private readonly customers = new Map<string, CustomerProfile>();
  private readonly byNumberKey = new Map<string, OpenInvoice[]>();
  private readonly byCustomer = new Map<string, OpenInvoice[]>();
  private readonly byAmount = new Map<string, OpenInvoice[]>();
  private readonly byAccount = new Map<string, CustomerProfile[]>();
  private readonly byNameKey = new Map<string, CustomerProfile[]>();
  /** How many customers share each name key: rare keys say more than common ones. */
  private readonly nameKeyWeight = new Map<string, number>();

  constructor(customers: readonly CustomerProfile[], invoices: readonly OpenInvoice[]) {
    for (const customer of customers) {
      this.customers.set(customer.customerId, customer);
      for (const account of new Set(customer.accounts.map(normaliseAccount)))
        push(this.byAccount, account, customer);
      const keys = new Set(customer.names.flatMap(customerNameIndexKeys));
      for (const key of keys) push(this.byNameKey, key, customer);
    }
    for (const [key, list] of this.byNameKey) this.nameKeyWeight.set(key, 1 / Math.log2(1 + list.length));
    for (const invoice of invoices) {
      this.invoices.set(invoice.invoiceId, invoice);
      for (const key of new Set(invoiceNumberIndexKeys(invoice.number))) push(this.byNumberKey, key, invoice);
      if (invoice.open.isPositive()) {
        push(this.byCustomer, `${invoice.customerId}|${invoice.currency}`, invoice);
        push(this.byAmount, `${invoice.open.currency}|${invoice.open.minor}`, invoice);
      }
    }
    for (const list of this.byCustomer.values()) list.sort(byDueDate);
  }

  invoicesByNumberKeys(keys: readonly string[]): Promise<OpenInvoice[]> {
    const out = new Map<string, OpenInvoice>();
    for (const key of keys)
      for (const invoice of this.byNumberKey.get(key) ?? []) out.set(invoice.invoiceId, invoice);
    return Promise.resolve([...out.values()]);
  }

  openInvoicesOfCustomer(customerId: string, currency: string, limit: number): Promise<OpenInvoice[]> {
    return Promise.resolve((this.byCustomer.get(`${customerId}|${currency}`) ?? []).slice(0, limit));
  }

  openInvoicesWithAmount(amount: Money, limit: number): Promise<OpenInvoice[]> {
    return Promise.resolve((this.byAmount.get(`${amount.currency}|${amount.minor}`) ?? []).slice(0, limit));
  }

  customersByAccount(normalisedAccount: string): Promise<CustomerProfile[]> {
    return Promise.resolve([...(this.byAccount.get(normalisedAccount) ?? [])]);
  }

  customersByNameKeys(keys: readonly string[], limit: number): Promise<CustomerProfile[]> {
    const score = new Map<string, number>();
    for (const key of new Set(keys)) {
      const weight = this.nameKeyWeight.get(key) ?? 0;
      for (const customer of this.byNameKey.get(key) ?? []) {
        score.set(customer.customerId, (score.get(customer.customerId) ?? 0) + weight);
      }
    }
    const ranked = [...score.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, limit)
      .map(([id]) => this.customers.get(id) as CustomerProfile);
    return Promise.resolve(ranked);
  }

  customersByIds(ids: readonly string[]): Promise<CustomerProfile[]> {
    return Promise.resolve(ids.flatMap((id) => this.customers.get(id) ?? []));
  }

  invoicesByIds(ids: readonly string[]): Promise<OpenInvoice[]> {
    return Promise.resolve(ids.flatMap((id) => this.invoices.get(id) ?? []));
  }
}
