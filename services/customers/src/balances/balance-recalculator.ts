import { Injectable } from '@nestjs/common';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { ArStatus, Topic } from '@duemap/events';
import {
  eventTopic,
  OutboxWriter,
  ScopeKey,
  type OutboxEvent,
  type TransactionScope,
} from '@duemap/messaging';
import type { DescMessage } from '@bufbuild/protobuf';
import { context, type Context } from '@opentelemetry/api';
import type { EntityManager } from 'typeorm';
import type { ArStatusName, StoredBalance } from '../customers/customer.entity';
import { balanceJson } from '../customers/customer-record';
import { isUuid } from '../customers/usecases/get-customer.usecase';
import { computeBalances, computeStatus, sameBalances, toStored } from './balance-computation';

const AR_STATUS: Record<ArStatusName, ArStatus> = {
  paid: ArStatus.PAID,
  unpaid: ArStatus.UNPAID,
  overdue: ArStatus.OVERDUE,
};

export interface Recomputed {
  customerId: string;
  balanceChanged: boolean;
  statusChanged: boolean;
}

interface CustomerTotals {
  id: string;
  /** bigint as text */
  version: string;
  balances: StoredBalance[];
  ar_status: ArStatusName;
  groups: { currency: string; overdue: boolean; void: boolean; open: string }[];
  credits: { currency: string; amount: string }[];
}

// Like items are aggregated in SQL (a big customer has thousands of invoices); grouping by the
// sign of the open amount keeps "any open amount > 0" answerable from the groups. One statement
// reads every customer of the transaction. An invoice's open amount is invoicing's, less the
// allocations payments decided that invoicing has not recorded yet (ADR 0030), never below zero
// (while invoicing's event that records one is still on its way, it would count twice).
const TOTALS_SQL = `
  SELECT c.id, c.version::text AS version, c.balances, c.ar_status, g.groups, k.credits
    FROM customers c
    CROSS JOIN LATERAL (
      SELECT coalesce(json_agg(json_build_object('currency', currency, 'overdue', overdue, 'void', void, 'open', open)), '[]') AS groups
        FROM (SELECT currency, overdue, void, sum(open)::text AS open
                FROM (SELECT b.currency, b.overdue, b.void,
                             CASE WHEN b.open_minor > 0 THEN greatest(b.open_minor - coalesce(p.pending, 0), 0)
                                  ELSE b.open_minor END AS open
                        FROM invoice_balances b
                        LEFT JOIN (SELECT invoice_id, sum(applied_minor) AS pending FROM payment_allocations
                                    WHERE customer_id = c.id::text AND NOT released GROUP BY invoice_id) p
                               USING (invoice_id)
                       WHERE b.customer_id = c.id::text) o
               GROUP BY currency, overdue, void, open > 0) x) g
    CROSS JOIN LATERAL (
      SELECT coalesce(json_agg(json_build_object('currency', currency, 'amount', amount)), '[]') AS credits
        FROM (SELECT currency, sum(amount_minor)::text AS amount
                FROM credit_entries WHERE customer_id = c.id::text GROUP BY currency) y) k
   WHERE c.id = ANY($1::uuid[])`;

const RECOMPUTE = new ScopeKey<Map<string, Context>>('customers:recompute');

/**
 * Recomputes customers' balances and AR status from the invoice and credit projections and writes
 * balance-changed / status-changed to the outbox when they changed. Handlers only say which
 * customers an event touched (`schedule`); the recomputation runs once per transaction for all of
 * them, after every event of the transaction was applied, under the customers' row locks (taken in
 * id order, so two transactions cannot deadlock on them, and so an event of the same customer on
 * another topic, handled concurrently elsewhere, cannot be missed: the totals are read after the
 * lock is granted). A customer that changed gets the next version, which its events carry.
 */
@Injectable()
export class BalanceRecalculator {
  constructor(private readonly outbox: OutboxWriter) {}

  /**
   * Marks customers for recomputation at the end of the transaction, on behalf of the event whose
   * trace is `trace` (the active one by default). Ids that are not ours are skipped.
   */
  schedule(
    em: EntityManager,
    scope: TransactionScope,
    customerIds: readonly string[],
    trace: Context = context.active(),
  ): void {
    // Each customer's events continue the trace of the first event that touched it here.
    const pending = scope.local(RECOMPUTE, () => new Map<string, Context>());
    for (const id of customerIds) {
      const key = id.toLowerCase();
      if (isUuid(id) && !pending.has(key)) pending.set(key, trace);
    }
    // The deferred work runs in the trace active when it is first deferred: the first event's.
    context.with(trace, () =>
      scope.defer(RECOMPUTE, async () => {
        await this.recompute(em, [...pending.keys()], pending);
      }),
    );
  }

  /** Recomputes the given customers now, in the caller's transaction. Unknown ids are skipped. */
  async recompute(
    em: EntityManager,
    customerIds: readonly string[],
    traces: ReadonlyMap<string, Context> = new Map(),
  ): Promise<Recomputed[]> {
    const ids = [...new Set(customerIds.filter(isUuid).map((id) => id.toLowerCase()))].sort();
    if (ids.length === 0) return [];
    const locked: { id: string }[] = await em.query(
      'SELECT id FROM customers WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE',
      [ids],
    );
    if (locked.length === 0) return [];
    const rows: CustomerTotals[] = await em.query(TOTALS_SQL, [locked.map((r) => r.id)]);

    const now = new Date();
    const updates: { id: string; version: string; balances: StoredBalance[]; ar_status: ArStatusName }[] = [];
    const events: OutboxEvent<DescMessage>[] = [];
    const outcomes: Recomputed[] = [];
    for (const row of rows) {
      const items = row.groups.map((g) => ({
        currency: g.currency,
        openMinor: BigInt(g.open),
        overdue: g.overdue,
        void: g.void,
      }));
      const credits = row.credits.map((c) => ({ currency: c.currency, amountMinor: BigInt(c.amount) }));
      const balances = toStored(computeBalances(items, credits));
      const status = computeStatus(items);
      const balanceChanged = !sameBalances(row.balances, balances);
      const statusChanged = row.ar_status !== status;
      outcomes.push({ customerId: row.id, balanceChanged, statusChanged });
      if (!balanceChanged && !statusChanged) continue;
      const version = BigInt(row.version) + 1n;
      updates.push({ id: row.id, version: version.toString(), balances, ar_status: status });
      if (balanceChanged) {
        events.push({
          topic: eventTopic(Topic.BalanceChanged),
          key: row.id,
          occurredAt: now,
          event: {
            customerId: row.id,
            occurredAt: timestampFromDate(now),
            customerVersion: version,
            balances: balances.map(balanceJson),
          },
        });
      }
      if (statusChanged) {
        events.push({
          topic: eventTopic(Topic.StatusChanged),
          key: row.id,
          occurredAt: now,
          traceContext: traces.get(row.id),
          event: {
            customerId: row.id,
            occurredAt: timestampFromDate(now),
            customerVersion: version,
            status: AR_STATUS[status],
            previousStatus: AR_STATUS[row.ar_status],
          },
        });
      }
    }
    if (updates.length > 0) {
      await em.query(
        `UPDATE customers c SET version = v.version, balances = v.balances, ar_status = v.ar_status, updated_at = $2
           FROM jsonb_to_recordset($1::jsonb) AS v(id uuid, version bigint, balances jsonb, ar_status text)
          WHERE c.id = v.id`,
        [JSON.stringify(updates), now],
      );
      await this.outbox.appendAll(em, events);
    }
    return outcomes;
  }
}
