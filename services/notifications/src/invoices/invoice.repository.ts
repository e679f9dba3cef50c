import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CustomerTier } from '../reminder-policy/reminder-policy';
import type { InvoiceKind, InvoiceStatusName } from './invoice.entity';
import type { InvoiceState } from './invoice-update';
import { heldSql, releaseCte, type PaymentRelease } from './payment-holds';

/** What reminders are planned with of a customer; null until customer-upserted came. */
export interface PlanningCustomer {
  readonly timeZone: string;
  readonly tier: CustomerTier;
}

/** An invoice's projection as reminders are planned from it, its row locked by the caller's transaction. */
export interface InvoiceToPlan {
  readonly invoiceId: string;
  readonly customerId: string;
  readonly kind: InvoiceKind;
  readonly status: InvoiceStatusName;
  /** YYYY-MM-DD */
  readonly dueDate: string | null;
  /** Minor units, as text (bigint). */
  readonly openMinor: string | null;
  /** What notifications knows of the customer; null until customer-upserted came. */
  readonly customer: PlanningCustomer | null;
  /** A payment settles it by payments' decision, not yet recorded by invoicing (payment-holds.ts). */
  readonly held?: boolean;
  /**
   * The invoice was not in the projection before this plan. Reminders are only ever planned
   * from (and under the lock of) an invoice's row, so an invoice seen for the first time has none.
   */
  readonly firstSeen: boolean;
}

/** The invoices of a batch as the projection holds them, locked, and the customers of its events. */
export interface LockedForPlanning {
  readonly invoices: Map<string, InvoiceState>;
  readonly customers: Map<string, PlanningCustomer>;
  /** Of the invoices asked for (known to the projection or not), those a payment holds. */
  readonly held: ReadonlySet<string>;
}

interface PlanRow {
  invoice_id: string;
  customer_id: string;
  kind: InvoiceKind;
  status: InvoiceStatusName;
  due_date: string | null;
  open_minor: string | null;
  time_zone: string | null;
  tier: CustomerTier | null;
  held: boolean;
}

interface LockedRow {
  row_kind: 'invoice' | 'customer' | 'held';
  invoice_id: string | null;
  customer_id: string;
  number: string;
  kind: InvoiceKind;
  status: InvoiceStatusName;
  due_date: string | null;
  open_minor: string | null;
  currency: string | null;
  version: string;
  occurred_at: Date;
  time_zone: string;
  tier: CustomerTier;
}

// due_date and open_minor as text: the pg driver would turn a date into a local-midnight Date.
const DATE_AND_AMOUNT = `to_char(i.due_date, 'YYYY-MM-DD') AS due_date, i.open_minor::text AS open_minor`;

/**
 * SQL of the invoice projection, inside the consumer's inbox transaction. Each method is one
 * statement whatever the number of invoices (a round trip is what the hot path pays for), and
 * invoice rows are always locked in invoice id order, so two transactions cannot deadlock on them.
 */
@Injectable()
export class InvoiceRepository {
  /**
   * Locks the batch's invoices that the projection holds (in id order) and reads them, with the
   * customers the batch's events name. The caller folds its events into these states in memory
   * and writes the outcome with `saveAll`.
   */
  async lockForPlanning(
    em: EntityManager,
    invoiceIds: readonly string[],
    customerIds: readonly string[],
    /** Payment holds to release first (invoice-paid naming its payments), in the same statement. */
    releases: readonly PaymentRelease[] = [],
  ): Promise<LockedForPlanning> {
    // One statement, three kinds of rows: invoices, customers, and which invoices a payment holds
    // (leaving out the holds this statement releases: a CTE's writes are invisible to its siblings).
    const rows: LockedRow[] = await em.query(
      `WITH ${releaseCte('$3', '$4')}, locked AS (
         SELECT i.invoice_id, i.customer_id, i.number, i.kind, i.status, ${DATE_AND_AMOUNT},
                i.currency::text AS currency, i.version::text AS version, i.occurred_at
           FROM invoices i WHERE i.invoice_id = ANY($1::text[])
          ORDER BY i.invoice_id
            FOR UPDATE
       )
       SELECT 'invoice' AS row_kind, l.*, NULL::text AS time_zone, NULL::text AS tier FROM locked l
       UNION ALL
       SELECT 'customer', NULL, c.customer_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, c.time_zone, c.tier
         FROM customers c WHERE c.customer_id = ANY($2::text[])
       UNION ALL
       SELECT 'held', h.invoice_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
         FROM invoice_payment_holds h
        WHERE h.invoice_id = ANY($1::text[]) AND h.settles AND NOT h.released
          AND (h.invoice_id, h.payment_id) NOT IN (SELECT invoice_id, payment_id FROM released)`,
      [invoiceIds, customerIds, releases.map((r) => r.invoiceId), releases.map((r) => r.paymentId)],
    );
    const invoices = new Map<string, InvoiceState>();
    const customers = new Map<string, PlanningCustomer>();
    const held = new Set<string>();
    for (const r of rows) {
      if (r.row_kind === 'customer') {
        customers.set(r.customer_id, { timeZone: r.time_zone, tier: r.tier });
        continue;
      }
      if (r.row_kind === 'held') {
        if (r.invoice_id !== null) held.add(r.invoice_id);
        continue;
      }
      if (r.invoice_id === null) continue;
      invoices.set(r.invoice_id, {
        invoiceId: r.invoice_id,
        customerId: r.customer_id,
        number: r.number,
        kind: r.kind,
        status: r.status,
        dueDate: r.due_date,
        openMinor: r.open_minor,
        currency: r.currency,
        version: BigInt(r.version),
        occurredAt: r.occurred_at,
      });
    }
    return { invoices, customers, held };
  }

  /**
   * Writes the invoices' new states in one statement: updates those `lockForPlanning` found
   * (their rows are locked), inserts the others in id order. Throws when one of those was
   * created meanwhile by another transaction: the states were folded from "not known", so the
   * transaction must be applied again (a retryable error; the replay finds the row).
   */
  async saveAll(
    em: EntityManager,
    states: readonly InvoiceState[],
    known: ReadonlySet<string>,
  ): Promise<void> {
    if (states.length === 0) return;
    const sorted = [...states].sort((a, b) =>
      a.invoiceId < b.invoiceId ? -1 : a.invoiceId > b.invoiceId ? 1 : 0,
    );
    const expectedInserts = sorted.filter((s) => !known.has(s.invoiceId)).length;
    const [row]: { inserted: number }[] = await em.query(
      `WITH t AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::date[],
                              $7::bigint[], $8::text[], $9::timestamptz[], $10::bool[], $11::bigint[])
           WITH ORDINALITY AS t(invoice_id, customer_id, number, kind, status, due_date, open_minor,
                                currency, occurred_at, known, version, n)
       ), updated AS (
         UPDATE invoices i
            SET customer_id = t.customer_id, number = t.number, kind = t.kind, status = t.status,
                due_date = t.due_date, open_minor = t.open_minor, currency = t.currency,
                version = t.version, occurred_at = t.occurred_at, updated_at = now()
           FROM t WHERE t.known AND i.invoice_id = t.invoice_id
       ), inserted AS (
         INSERT INTO invoices
           (invoice_id, customer_id, number, kind, status, due_date, open_minor, currency, version, occurred_at)
         SELECT invoice_id, customer_id, number, kind, status, due_date, open_minor, currency, version, occurred_at
           FROM t WHERE NOT t.known ORDER BY t.n
         ON CONFLICT (invoice_id) DO NOTHING
         RETURNING 1
       )
       SELECT count(*)::int AS inserted FROM inserted`,
      [
        sorted.map((s) => s.invoiceId),
        sorted.map((s) => s.customerId),
        sorted.map((s) => s.number),
        sorted.map((s) => s.kind),
        sorted.map((s) => s.status),
        sorted.map((s) => s.dueDate),
        sorted.map((s) => s.openMinor),
        sorted.map((s) => s.currency),
        sorted.map((s) => s.occurredAt.toISOString()),
        sorted.map((s) => known.has(s.invoiceId)),
        sorted.map((s) => s.version.toString()),
      ],
    );
    if (row?.inserted !== expectedInserts) {
      throw new Error(
        `${expectedInserts - (row?.inserted ?? 0)} invoice(s) of this batch were created by a concurrent transaction; applying it again`,
      );
    }
  }

  /**
   * The customer's invoices that are neither paid nor void, with the customer, their rows locked
   * (in invoice id order, as every multi-invoice lock here is taken).
   */
  async lockOpenOfCustomer(em: EntityManager, customerId: string): Promise<InvoiceToPlan[]> {
    const rows: PlanRow[] = await em.query(
      `SELECT i.invoice_id, i.customer_id, i.kind, i.status, ${DATE_AND_AMOUNT}, c.time_zone, c.tier,
              ${heldSql('i')} AS held
         FROM invoices i LEFT JOIN customers c ON c.customer_id = i.customer_id
        WHERE i.customer_id = $1 AND i.status NOT IN ('paid', 'void')
        ORDER BY i.invoice_id
          FOR UPDATE OF i`,
      [customerId],
    );
    return rows.map((row) => ({
      invoiceId: row.invoice_id,
      customerId: row.customer_id,
      kind: row.kind,
      status: row.status,
      dueDate: row.due_date,
      openMinor: row.open_minor,
      customer:
        row.time_zone === null || row.tier === null ? null : { timeZone: row.time_zone, tier: row.tier },
      held: row.held,
      firstSeen: false,
    }));
  }
}
