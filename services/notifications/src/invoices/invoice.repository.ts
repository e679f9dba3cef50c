import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CustomerTier } from '../reminder-policy/reminder-policy';
import type { InvoiceKind, InvoiceStatusName } from './invoice.entity';
import type { InvoiceUpdate } from './invoice-update';

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
  readonly customer: { readonly timeZone: string; readonly tier: CustomerTier } | null;
  /**
   * The projection row was created by this very statement. Reminders are only ever planned from
   * (and under the lock of) an invoice's row, so an invoice seen for the first time has none.
   */
  readonly firstSeen: boolean;
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
  first_seen: boolean;
}

// due_date and open_minor as text: the pg driver would turn a date into a local-midnight Date.
const PLAN_COLUMNS = `i.invoice_id, i.customer_id, i.kind, i.status,
  to_char(i.due_date, 'YYYY-MM-DD') AS due_date, i.open_minor::text AS open_minor,
  c.time_zone, c.tier`;

function toPlan(row: PlanRow): InvoiceToPlan {
  return {
    invoiceId: row.invoice_id,
    customerId: row.customer_id,
    kind: row.kind,
    status: row.status,
    dueDate: row.due_date,
    openMinor: row.open_minor,
    customer:
      row.time_zone === null || row.tier === null ? null : { timeZone: row.time_zone, tier: row.tier },
    firstSeen: row.first_seen,
  };
}

/**
 * SQL of the invoice projection. Writes take the EntityManager of the consumer's inbox
 * transaction; each is one statement (a round trip is what the hot path pays for), and every
 * read for planning locks the invoice row, which serialises all plans of one invoice.
 */
@Injectable()
export class InvoiceRepository {
  /**
   * Creates or updates the projection from an event in one statement, unless the projection
   * already holds a state as new or newer (occurred_at; topics are not ordered relative to each
   * other). Fields the event does not carry keep what is known. Returns the invoice as it now
   * stands, with its customer, its row locked; null when the event was stale.
   */
  async upsert(em: EntityManager, update: InvoiceUpdate): Promise<InvoiceToPlan | null> {
    const set = [
      'customer_id = EXCLUDED.customer_id',
      'status = EXCLUDED.status',
      'occurred_at = EXCLUDED.occurred_at',
      'updated_at = now()',
    ];
    if (update.number !== undefined && update.number !== '') set.push('number = EXCLUDED.number');
    if (update.kind !== undefined) set.push('kind = EXCLUDED.kind');
    if (update.dueDate !== undefined) set.push('due_date = EXCLUDED.due_date');
    if (update.openMinor !== undefined) set.push('open_minor = EXCLUDED.open_minor');
    if (update.currency !== undefined) set.push('currency = EXCLUDED.currency');
    // xmax is 0 only on a row version this statement inserted (an update leaves its lock there).
    const rows: PlanRow[] = await em.query(
      `WITH i AS (
         INSERT INTO invoices AS cur
           (invoice_id, customer_id, number, kind, status, due_date, open_minor, currency, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (invoice_id) DO UPDATE SET ${set.join(', ')}
           WHERE cur.occurred_at < EXCLUDED.occurred_at
         RETURNING cur.*, (cur.xmax = 0) AS first_seen
       )
       SELECT ${PLAN_COLUMNS}, i.first_seen
         FROM i LEFT JOIN customers c ON c.customer_id = i.customer_id`,
      [
        update.invoiceId,
        update.customerId,
        update.number ?? '',
        update.kind ?? 'unknown',
        update.status,
        update.dueDate ?? null,
        update.openMinor === undefined ? null : update.openMinor.toString(),
        update.currency ?? null,
        update.occurredAt,
      ],
    );
    const [row] = rows;
    return row === undefined ? null : toPlan(row);
  }

  /**
   * The customer's invoices that are neither paid nor void, with the customer, their rows locked
   * (in invoice id order, as every multi-invoice lock here is taken).
   */
  async lockOpenOfCustomer(em: EntityManager, customerId: string): Promise<InvoiceToPlan[]> {
    const rows: PlanRow[] = await em.query(
      `SELECT ${PLAN_COLUMNS}, false AS first_seen
         FROM invoices i LEFT JOIN customers c ON c.customer_id = i.customer_id
        WHERE i.customer_id = $1 AND i.status NOT IN ('paid', 'void')
        ORDER BY i.invoice_id
          FOR UPDATE OF i`,
      [customerId],
    );
    return rows.map(toPlan);
  }
}
