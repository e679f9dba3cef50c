import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AllocationFact, CreditFact, InvoiceFact } from './balance-facts';

export type UpsertedInvoiceFact = { applied: false } | { applied: true; previousCustomerId: string | null };

// Applies a batch of invoice facts as applying them one by one, in order, would. Events of
// different invoicing topics are not ordered relative to each other, so a row keeps the version
// and occurred_at of the last event applied and an older fact changes nothing
// (event_not_older: versions decide when both sides have one, occurred_at when either has none).
// `walk` goes through each invoice's facts in arrival order from the row as it was before the
// batch: a fact applies iff it is not older than what is held at its turn (the row's, or the last
// applied fact's). It is recursive because that rule is not a total order while facts with and
// without versions meet (an unversioned fact is only comparable by time), so no running maximum
// can stand in for it; it takes as many steps as the batch has facts of one invoice.
// The applied facts of an invoice are then folded into one row (an upsert may touch a row only
// once): the last one's customer, currency, version and time, the last open amount and overdue
// flag any of them says (else the row's), void if the row or any of them is void (void is sticky).
// `old` locks the existing rows in invoice id order (so two transactions cannot deadlock on them)
// and, under READ COMMITTED, reads their latest version. The upsert's guard is for a row another
// transaction inserted after this statement's snapshot; the rows of `old` were walked already.
const UPSERT_FACTS_SQL = `
  WITH RECURSIVE fact AS (
    SELECT f.*, row_number() OVER (PARTITION BY f.invoice_id ORDER BY f.ord) AS step
      FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::boolean[], $6::boolean[], $7::bigint[],
                  $8::timestamptz[])
           WITH ORDINALITY AS f(invoice_id, customer_id, currency, open_minor, overdue, void, version, occurred_at, ord)
  ),
  old AS MATERIALIZED (
    SELECT invoice_id, customer_id, open_minor, overdue, void, last_version, last_occurred_at
      FROM invoice_balances
     WHERE invoice_id IN (SELECT invoice_id FROM fact)
     ORDER BY invoice_id
       FOR UPDATE
  ),
  walk AS (
    SELECT i.invoice_id, 0::bigint AS step, false AS applies,
           o.last_version AS held_version, o.last_occurred_at AS held_occurred_at
      FROM (SELECT DISTINCT invoice_id FROM fact) i LEFT JOIN old o USING (invoice_id)
    UNION ALL
    SELECT w.invoice_id, f.step, n.applies,
           CASE WHEN n.applies THEN f.version ELSE w.held_version END,
           CASE WHEN n.applies THEN f.occurred_at ELSE w.held_occurred_at END
      FROM walk w JOIN fact f ON f.invoice_id = w.invoice_id AND f.step = w.step + 1
     CROSS JOIN LATERAL
           (SELECT event_not_older(f.version, f.occurred_at, w.held_version, w.held_occurred_at) AS applies) n
  ),
  applied AS (
    SELECT c.*, COALESCE(lag(c.customer_id) OVER (PARTITION BY c.invoice_id ORDER BY c.ord), c.old_customer_id)
                  AS previous_customer_id
      FROM (SELECT f.*, o.customer_id AS old_customer_id
              FROM fact f JOIN walk w USING (invoice_id, step) LEFT JOIN old o USING (invoice_id)
             WHERE w.applies) c
  ),
  folded AS (
    SELECT a.invoice_id,
           (array_agg(a.customer_id ORDER BY a.ord DESC))[1] AS customer_id,
           (array_agg(a.currency ORDER BY a.ord DESC))[1] AS currency,
           COALESCE((array_agg(a.open_minor ORDER BY a.ord DESC) FILTER (WHERE a.open_minor IS NOT NULL))[1],
                    o.open_minor, 0) AS open_minor,
           COALESCE((array_agg(a.overdue ORDER BY a.ord DESC) FILTER (WHERE a.overdue IS NOT NULL))[1],
                    o.overdue, false) AS overdue,
           COALESCE(o.void, false) OR COALESCE(bool_or(a.void), false) AS void,
           (array_agg(a.version ORDER BY a.ord DESC))[1] AS last_version,
           (array_agg(a.occurred_at ORDER BY a.ord DESC))[1] AS last_occurred_at
      FROM applied a LEFT JOIN old o USING (invoice_id)
     GROUP BY a.invoice_id, o.open_minor, o.overdue, o.void
  ),
  upserted AS (
    INSERT INTO invoice_balances AS b
           (invoice_id, customer_id, currency, open_minor, overdue, void, last_version, last_occurred_at, updated_at)
    SELECT invoice_id, customer_id, currency, open_minor, overdue, void, last_version, last_occurred_at,
           $9::timestamptz
      FROM folded ORDER BY invoice_id
    ON CONFLICT (invoice_id) DO UPDATE SET
           customer_id = EXCLUDED.customer_id,
           currency = EXCLUDED.currency,
           open_minor = EXCLUDED.open_minor,
           overdue = EXCLUDED.overdue,
           void = b.void OR EXCLUDED.void,
           last_version = EXCLUDED.last_version,
           last_occurred_at = EXCLUDED.last_occurred_at,
           updated_at = EXCLUDED.updated_at
     WHERE b.invoice_id IN (SELECT invoice_id FROM old)
        OR event_not_older(EXCLUDED.last_version, EXCLUDED.last_occurred_at, b.last_version, b.last_occurred_at)
    RETURNING invoice_id
  )
  SELECT a.ord::int, a.previous_customer_id
    FROM applied a
   WHERE a.invoice_id IN (SELECT invoice_id FROM upserted)`;

/**
 * The invoice and credit projections. A batch of facts is one statement per projection, whatever
 * its size: the merge rules live in the SQL, because round trips are what a busy Postgres pays for.
 */
@Injectable()
export class InvoiceBalancesRepository {
  /**
   * Mirrors invoice facts, in the given order, exactly as one upsert per fact would. Fields a fact
   * does not carry keep their value; void is sticky; a fact older than the last one applied to its
   * invoice (by version, else by occurred_at) changes nothing (`applied: false`). For an applied fact, returns the customer the
   * invoice belonged to just before it (an invoice may move), null for one not seen before.
   */
  async upsertFacts(em: EntityManager, facts: readonly InvoiceFact[]): Promise<UpsertedInvoiceFact[]> {
    if (facts.length === 0) return [];
    const rows: { ord: number; previous_customer_id: string | null }[] = await em.query(UPSERT_FACTS_SQL, [
      facts.map((f) => f.invoiceId),
      facts.map((f) => f.customerId),
      facts.map((f) => f.currency),
      facts.map((f) => f.openMinor?.toString() ?? null),
      facts.map((f) => f.overdue ?? null),
      facts.map((f) => f.void ?? null),
      facts.map((f) => f.version.toString()),
      facts.map((f) => f.occurredAt),
      new Date(),
    ]);
    const outcomes: UpsertedInvoiceFact[] = facts.map(() => ({ applied: false }));
    for (const row of rows) {
      outcomes[row.ord - 1] = { applied: true, previousCustomerId: row.previous_customer_id };
    }
    return outcomes;
  }

  /**
   * Adds credit entries; for each fact, false when its entry key was recorded before, by an earlier
   * transaction or an earlier fact of this batch (a fact counts once). Inserted in key order, so
   * two transactions cannot deadlock on the same keys.
   */
  async addCredits(em: EntityManager, facts: readonly CreditFact[]): Promise<boolean[]> {
    if (facts.length === 0) return [];
    // Where each key first occurs: that fact is the one that may count.
    const first = new Map<string, number>();
    facts.forEach((fact, i) => {
      if (!first.has(fact.entryKey)) first.set(fact.entryKey, i);
    });
    const entries = [...first.values()].map((i) => facts[i] as CreditFact);
    const rows: { entry_key: string }[] = await em.query(
      `INSERT INTO credit_entries
              (entry_key, customer_id, kind, payment_id, currency, amount_minor, occurred_at, recorded_at)
       SELECT e.*, $8::timestamptz FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::timestamptz[])
                AS e(entry_key, customer_id, kind, payment_id, currency, amount_minor, occurred_at)
        ORDER BY e.entry_key
       ON CONFLICT DO NOTHING RETURNING entry_key`,
      [
        entries.map((f) => f.entryKey),
        entries.map((f) => f.customerId),
        entries.map((f) => f.kind),
        entries.map((f) => f.paymentId),
        entries.map((f) => f.currency),
        entries.map((f) => f.amountMinor.toString()),
        entries.map((f) => f.occurredAt),
        new Date(),
      ],
    );
    const recorded = new Set(rows.map((r) => r.entry_key));
    return facts.map((fact, i) => recorded.has(fact.entryKey) && first.get(fact.entryKey) === i);
  }

  /**
   * Records payments' allocations and their releases, in one statement. A release is sticky and may
   * come before its allocation (it is kept, and the allocation then counts nothing); the facts of
   * one (payment, invoice) in the batch are folded first, since an upsert touches a row once.
   */
  async recordAllocations(em: EntityManager, facts: readonly AllocationFact[]): Promise<void> {
    if (facts.length === 0) return;
    const folded = new Map<string, AllocationFact>();
    for (const fact of facts) {
      const key = `${fact.paymentId}\u0000${fact.invoiceId}`;
      const held = folded.get(key);
      folded.set(key, {
        ...fact,
        applied: fact.applied ?? held?.applied,
        customerId: fact.applied ? fact.customerId : (held?.customerId ?? fact.customerId),
        release: fact.release || (held?.release ?? false),
      });
    }
    const rows = [...folded.values()].sort((a, b) =>
      a.paymentId === b.paymentId
        ? a.invoiceId.localeCompare(b.invoiceId)
        : a.paymentId.localeCompare(b.paymentId),
    );
    await em.query(
      `INSERT INTO payment_allocations AS a (payment_id, invoice_id, customer_id, currency, applied_minor, released)
       SELECT f.payment_id, f.invoice_id, f.customer_id, f.currency, coalesce(f.applied_minor, 0), f.released
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bool[])
              AS f(payment_id, invoice_id, customer_id, currency, applied_minor, released)
       ON CONFLICT (payment_id, invoice_id) DO UPDATE SET
              customer_id = CASE WHEN EXCLUDED.currency IS NULL THEN a.customer_id ELSE EXCLUDED.customer_id END,
              currency = coalesce(EXCLUDED.currency, a.currency),
              applied_minor = CASE WHEN EXCLUDED.currency IS NULL THEN a.applied_minor ELSE EXCLUDED.applied_minor END,
              released = a.released OR EXCLUDED.released,
              updated_at = now()`,
      [
        rows.map((r) => r.paymentId),
        rows.map((r) => r.invoiceId),
        rows.map((r) => r.customerId),
        rows.map((r) => r.applied?.currency ?? null),
        rows.map((r) => r.applied?.minor.toString() ?? null),
        rows.map((r) => r.release),
      ],
    );
  }
}
