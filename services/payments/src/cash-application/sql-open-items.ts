import { Money } from '@duemap/money';
import type { EntityManager } from 'typeorm';
import type { CustomerProfile, OpenInvoice, OpenItemsView } from './cash-application.types';

interface InvoiceRow {
  invoice_id: string;
  number: string;
  customer_id: string;
  currency: string;
  kind: 'invoice' | 'credit_note';
  status: OpenInvoice['status'];
  due_date: string | null;
  issue_date: string | null;
  open_minor: string;
}

interface CustomerRow {
  customer_id: string;
  name: string;
  accounts: string[];
}

// An invoice's open amount as payments decides on it (ADR 0030): invoicing's part (total −
// pre-settled) less payments' own allocations still in effect. Dates as text: node-postgres would
// turn a `date` into a local-midnight Date.
const INVOICE_SELECT = `
  SELECT i.invoice_id, i.number, i.customer_id, i.currency, i.kind, i.status,
         to_char(i.due_date, 'YYYY-MM-DD') AS due_date, to_char(i.issue_date, 'YYYY-MM-DD') AS issue_date,
         GREATEST(i.total_minor - i.pre_settled_minor - COALESCE((
           SELECT SUM(a.applied_minor - a.rejected_minor) FROM payment_allocation a
            WHERE a.invoice_id = i.invoice_id AND a.reversed_at IS NULL), 0), 0)::text AS open_minor
    FROM invoice_view i`;

const OPEN = `i.kind = 'invoice' AND i.status NOT IN ('paid', 'void')`;

const CUSTOMER_SELECT = `
  SELECT c.customer_id, c.name,
         COALESCE((SELECT array_agg(p.account ORDER BY p.account) FROM customer_payer_account p
                    WHERE p.customer_id = c.customer_id), '{}') AS accounts
    FROM customer_view c`;

function toInvoice(row: InvoiceRow): OpenInvoice {
  const open = Money.fromMinor(BigInt(row.open_minor), row.currency);
  return {
    invoiceId: row.invoice_id,
    number: row.number,
    customerId: row.customer_id,
    currency: row.currency,
    open,
    dueDate: row.due_date,
    issueDate: row.issue_date,
    // Payments' own allocations may have paid it before invoicing's event says so.
    status: row.kind === 'invoice' && row.status !== 'void' && !open.isPositive() ? 'paid' : row.status,
    kind: row.kind,
  };
}

function toProfile(row: CustomerRow): CustomerProfile {
  return { customerId: row.customer_id, names: [row.name], accounts: row.accounts };
}

/**
 * The engine's open-items view over payments' read model (invoice_view, customer_view, the
 * allocations payments made and the payer accounts it learned), read in the caller's transaction.
 * Every look-up is one indexed statement: number keys and name keys are GIN-indexed arrays filled by
 * the projections with the engine's own key functions.
 */
export class SqlOpenItems implements OpenItemsView {
  constructor(private readonly em: EntityManager) {}

  async invoicesByNumberKeys(keys: readonly string[]): Promise<OpenInvoice[]> {
    if (keys.length === 0) return [];
    const rows: InvoiceRow[] = await this.em.query(
      `${INVOICE_SELECT} WHERE i.number_keys && $1::text[] ORDER BY i.invoice_id LIMIT 100`,
      [keys],
    );
    return rows.map(toInvoice);
  }

  async openInvoicesOfCustomer(customerId: string, currency: string, limit: number): Promise<OpenInvoice[]> {
    const rows: InvoiceRow[] = await this.em.query(
      `SELECT * FROM (${INVOICE_SELECT}
         WHERE i.customer_id = $1 AND i.currency = $2 AND ${OPEN}) o
        WHERE o.open_minor::bigint > 0
        ORDER BY o.due_date NULLS LAST, o.issue_date NULLS LAST, o.number, o.invoice_id
        LIMIT $3`,
      [customerId, currency, limit],
    );
    return rows.map(toInvoice);
  }

  async openInvoicesWithAmount(amount: Money, limit: number): Promise<OpenInvoice[]> {
    // Indexed on invoicing's part; an invoice partly paid by payments is found by its customer's
    // look-ups (reference, name, account), not by this one.
    const rows: InvoiceRow[] = await this.em.query(
      `SELECT * FROM (${INVOICE_SELECT}
         WHERE i.currency = $1 AND (i.total_minor - i.pre_settled_minor) = $2::bigint AND ${OPEN}) o
        WHERE o.open_minor::bigint = $2::bigint
        ORDER BY o.invoice_id LIMIT $3`,
      [amount.currency, amount.minor.toString(), limit],
    );
    return rows.map(toInvoice);
  }

  async customersByAccount(normalisedAccount: string): Promise<CustomerProfile[]> {
    const rows: CustomerRow[] = await this.em.query(
      `${CUSTOMER_SELECT}
        WHERE c.customer_id IN (SELECT customer_id FROM customer_payer_account WHERE account = $1)
        ORDER BY c.customer_id LIMIT 20`,
      [normalisedAccount],
    );
    return rows.map(toProfile);
  }

  async customersByNameKeys(keys: readonly string[], limit: number): Promise<CustomerProfile[]> {
    if (keys.length === 0) return [];
    const rows: CustomerRow[] = await this.em.query(
      `SELECT c.customer_id, c.name,
              COALESCE((SELECT array_agg(p.account ORDER BY p.account) FROM customer_payer_account p
                         WHERE p.customer_id = c.customer_id), '{}') AS accounts
         FROM customer_view c
        WHERE c.name_keys && $1::text[]
        ORDER BY (SELECT count(*) FROM unnest(c.name_keys) k WHERE k = ANY($1::text[])) DESC, c.customer_id
        LIMIT $2`,
      [keys, limit],
    );
    return rows.map(toProfile);
  }

  async customersByIds(ids: readonly string[]): Promise<CustomerProfile[]> {
    if (ids.length === 0) return [];
    const rows: CustomerRow[] = await this.em.query(
      `${CUSTOMER_SELECT} WHERE c.customer_id = ANY($1::text[])`,
      [ids],
    );
    return rows.map(toProfile);
  }

  async invoicesByIds(ids: readonly string[]): Promise<OpenInvoice[]> {
    if (ids.length === 0) return [];
    const rows: InvoiceRow[] = await this.em.query(`${INVOICE_SELECT} WHERE i.invoice_id = ANY($1::text[])`, [
      ids,
    ]);
    return rows.map(toInvoice);
  }
}
