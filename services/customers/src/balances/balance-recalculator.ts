import { Injectable } from '@nestjs/common';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { ArStatus, Topic } from '@duemap/events';
import { eventTopic, OutboxWriter } from '@duemap/messaging';
import type { EntityManager } from 'typeorm';
import { CustomerEntity, type ArStatusName } from '../customers/customer.entity';
import { balanceJson } from '../customers/customer-record';
import { isUuid } from '../customers/usecases/get-customer.usecase';
import {
  computeBalances,
  computeStatus,
  sameBalances,
  toStored,
  type CreditItem,
  type OpenItem,
} from './balance-computation';

const AR_STATUS: Record<ArStatusName, ArStatus> = {
  paid: ArStatus.PAID,
  unpaid: ArStatus.UNPAID,
  overdue: ArStatus.OVERDUE,
};

export interface RecomputeOutcome {
  balanceChanged: boolean;
  statusChanged: boolean;
}

/**
 * Recomputes a customer's balances and AR status from the invoice and credit projections, inside
 * the caller's transaction, and writes balance-changed / status-changed to the outbox when they
 * changed. Callers lock the customer first (lockCustomers), so two events of one customer on
 * different topics, handled concurrently, cannot both see the old state.
 */
@Injectable()
export class BalanceRecalculator {
  constructor(private readonly outbox: OutboxWriter) {}

  /**
   * Locks the customers' rows (in id order, so two transactions cannot deadlock on them) and
   * returns the ones this service knows. Ids from events that name no customer of ours are skipped.
   */
  async lockCustomers(em: EntityManager, ids: readonly string[]): Promise<Set<string>> {
    const known = [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))].sort();
    if (known.length === 0) return new Set();
    const rows: { id: string }[] = await em.query(
      'SELECT id FROM customers WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE',
      [known],
    );
    return new Set(rows.map((r) => r.id));
  }

  async recompute(em: EntityManager, customerId: string): Promise<RecomputeOutcome> {
    const customers = em.getRepository(CustomerEntity);
    const row = await customers.findOneBy({ id: customerId });
    if (row === null) return { balanceChanged: false, statusChanged: false };

    // Like items are aggregated in SQL (a big customer has thousands of invoices); grouping by the
    // sign of the open amount keeps "any open amount > 0" answerable from the groups.
    const groups: { currency: string; overdue: boolean; void: boolean; open: string }[] = await em.query(
      `SELECT currency, overdue, void, sum(open_minor)::text AS open
         FROM invoice_balances WHERE customer_id = $1
        GROUP BY currency, overdue, void, open_minor > 0`,
      [customerId],
    );
    const credits: { currency: string; amount: string }[] = await em.query(
      `SELECT currency, sum(amount_minor)::text AS amount FROM credit_entries WHERE customer_id = $1 GROUP BY currency`,
      [customerId],
    );
    const items: OpenItem[] = groups.map((g) => ({
      currency: g.currency,
      openMinor: BigInt(g.open),
      overdue: g.overdue,
      void: g.void,
    }));
    const creditItems: CreditItem[] = credits.map((c) => ({
      currency: c.currency,
      amountMinor: BigInt(c.amount),
    }));
    const balances = toStored(computeBalances(items, creditItems));
    const status = computeStatus(items);

    const balanceChanged = !sameBalances(row.balances, balances);
    const statusChanged = row.arStatus !== status;
    if (!balanceChanged && !statusChanged) return { balanceChanged, statusChanged };

    const now = new Date();
    const previousStatus = row.arStatus;
    await customers.update({ id: customerId }, { balances, arStatus: status, updatedAt: now });
    if (balanceChanged) {
      await this.outbox.append(em, {
        topic: eventTopic(Topic.BalanceChanged),
        key: customerId,
        occurredAt: now,
        event: {
          customerId,
          occurredAt: timestampFromDate(now),
          balances: balances.map(balanceJson),
        },
      });
    }
    if (statusChanged) {
      await this.outbox.append(em, {
        topic: eventTopic(Topic.StatusChanged),
        key: customerId,
        occurredAt: now,
        event: {
          customerId,
          occurredAt: timestampFromDate(now),
          status: AR_STATUS[status],
          previousStatus: AR_STATUS[previousStatus],
        },
      });
    }
    return { balanceChanged, statusChanged };
  }
}
