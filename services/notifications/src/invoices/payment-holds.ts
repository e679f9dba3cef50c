import type { EntityManager } from 'typeorm';

/**
 * Payment holds (ADR 0030): payments decides how much of an invoice a payment pays, and says in
 * payment-received what the allocation leaves open. A payment that leaves nothing open holds the
 * invoice's reminders at once, before invoicing has recorded it; invoice-paid naming the payment, the
 * payment's reversal or an allocation rejected by invoicing releases the hold, after which
 * invoicing's state of the invoice speaks alone again. Rows are (invoice, payment) facts, written by
 * upsert, and a release that arrives before its hold is kept: the order of topics does not matter.
 */
export interface PaymentHold {
  readonly invoiceId: string;
  readonly paymentId: string;
  /** The allocation left nothing open on the invoice. */
  readonly settles: boolean;
}

export interface PaymentRelease {
  readonly invoiceId: string;
  readonly paymentId: string;
}

/** Is `alias`'s invoice held by a payment? For a SELECT over the invoices table. */
export const heldSql = (alias: string): string =>
  `EXISTS (SELECT 1 FROM invoice_payment_holds h
            WHERE h.invoice_id = ${alias}.invoice_id AND h.settles AND NOT h.released)`;

/** One row per (invoice, payment): an upsert may not touch a row twice in one statement. */
function distinct<T extends PaymentRelease>(rows: readonly T[]): T[] {
  return [...new Map(rows.map((r) => [`${r.invoiceId}\u0000${r.paymentId}`, r])).values()];
}

/**
 * Records what payments said; a hold already released stays released. Returns the invoices these
 * holds now keep from being chased.
 */
export async function recordHolds(em: EntityManager, holds: readonly PaymentHold[]): Promise<string[]> {
  const rows = distinct(holds);
  if (rows.length === 0) return [];
  const held: { invoice_id: string }[] = await em.query(
    `INSERT INTO invoice_payment_holds (invoice_id, payment_id, settles)
     SELECT * FROM unnest($1::text[], $2::uuid[], $3::bool[])
     ON CONFLICT (invoice_id, payment_id) DO UPDATE SET settles = EXCLUDED.settles, updated_at = now()
     RETURNING CASE WHEN settles AND NOT released THEN invoice_id END AS invoice_id`,
    [rows.map((r) => r.invoiceId), rows.map((r) => r.paymentId), rows.map((r) => r.settles)],
  );
  return held.flatMap((r) => (r.invoice_id === null ? [] : [r.invoice_id]));
}

/**
 * The data-modifying part of a statement that releases holds, as a CTE named `released` over
 * parameters `$a::text[]` (invoices) and `$b::uuid[]` (payments): one round trip with the read that
 * follows it (which must leave these pairs out itself: a CTE's writes are not visible to its siblings).
 */
export const releaseCte = (invoices: string, payments: string): string =>
  `released AS (
     INSERT INTO invoice_payment_holds (invoice_id, payment_id, settles, released)
     SELECT r.invoice_id, r.payment_id, false, true
       FROM (SELECT DISTINCT * FROM unnest(${invoices}::text[], ${payments}::uuid[]) AS u(invoice_id, payment_id)) r
     ON CONFLICT (invoice_id, payment_id) DO UPDATE SET released = true, updated_at = now()
     RETURNING invoice_id, payment_id
   )`;

/** Whether a payment holds the invoice's reminders now (the send step's last check). */
export async function isHeldByPayment(em: EntityManager, invoiceId: string): Promise<boolean> {
  const [row]: { held: boolean }[] = await em.query(
    `SELECT ${heldSql('i')} AS held FROM (SELECT $1::text AS invoice_id) i`,
    [invoiceId],
  );
  return row?.held === true;
}
