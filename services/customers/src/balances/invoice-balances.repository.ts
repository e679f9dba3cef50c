import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CreditFact, InvoiceFact } from './balance-facts';

export type UpsertedInvoiceFact = { applied: false } | { applied: true; previousCustomerId: string | null };

/**
 * The invoice and credit projections. Each fact is one statement: the merge rules live in the SQL
 * so that an event costs one round trip.
 */
@Injectable()
export class InvoiceBalancesRepository {
  /**
   * Mirrors an invoice fact. Events of different invoicing topics are not ordered relative to each
   * other, so the row keeps the occurred_at of the last event applied and an older one changes
   * nothing (`applied: false`). Fields the fact does not carry keep their value; void is sticky.
   * Returns the customer the invoice belonged to before, if any (an invoice may move).
   */
  async upsertFact(em: EntityManager, fact: InvoiceFact): Promise<UpsertedInvoiceFact> {
    const rows: { previous_customer_id: string | null }[] = await em.query(
      `WITH old AS (SELECT customer_id FROM invoice_balances WHERE invoice_id = $1)
       INSERT INTO invoice_balances AS b
              (invoice_id, customer_id, currency, open_minor, overdue, void, last_occurred_at, updated_at)
       VALUES ($1, $2, $3, COALESCE($4::bigint, 0), COALESCE($5::boolean, false), COALESCE($6::boolean, false), $7, $8)
       ON CONFLICT (invoice_id) DO UPDATE SET
              customer_id = EXCLUDED.customer_id,
              currency = EXCLUDED.currency,
              open_minor = COALESCE($4::bigint, b.open_minor),
              overdue = COALESCE($5::boolean, b.overdue),
              void = b.void OR COALESCE($6::boolean, false),
              last_occurred_at = EXCLUDED.last_occurred_at,
              updated_at = EXCLUDED.updated_at
        WHERE b.last_occurred_at <= EXCLUDED.last_occurred_at
       RETURNING (SELECT customer_id FROM old) AS previous_customer_id`,
      [
        fact.invoiceId,
        fact.customerId,
        fact.currency,
        fact.openMinor?.toString() ?? null,
        fact.overdue ?? null,
        fact.void ?? null,
        fact.occurredAt,
        new Date(),
      ],
    );
    const row = rows[0];
    return row === undefined
      ? { applied: false }
      : { applied: true, previousCustomerId: row.previous_customer_id };
  }

  /** Adds a credit entry; false when its entry key was recorded before (the fact counts once). */
  async addCredit(em: EntityManager, fact: CreditFact): Promise<boolean> {
    const rows: unknown[] = await em.query(
      `INSERT INTO credit_entries
              (entry_key, customer_id, kind, payment_id, currency, amount_minor, occurred_at, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT DO NOTHING RETURNING entry_key`,
      [
        fact.entryKey,
        fact.customerId,
        fact.kind,
        fact.paymentId,
        fact.currency,
        fact.amountMinor.toString(),
        fact.occurredAt,
        new Date(),
      ],
    );
    return rows.length > 0;
  }
}
