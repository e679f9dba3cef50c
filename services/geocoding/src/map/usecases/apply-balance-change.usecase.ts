import { Injectable } from '@nestjs/common';
import type { BalanceChanged } from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import { isMoneyError, Money } from '@duemap/money';
import type { EntityManager } from 'typeorm';
import { customerPositionOf } from '../event-time';
import { newestPerCustomer } from '../newest-per-customer';
import { PinRepository, type BalanceMinor } from '../pin.repository';

export type BalanceOutcome = 'applied' | 'stale';

/**
 * Puts customers' outstanding and overdue amounts (per currency) on their pins, from
 * balance-changed: a batch of events in one statement. A snapshot older than the pin's (by customer
 * version, else by occurred_at) is stale. Returns each event's outcome.
 */
@Injectable()
export class ApplyBalanceChangeUseCase {
  constructor(private readonly pins: PinRepository) {}

  async execute(events: readonly BalanceChanged[], em: EntityManager): Promise<BalanceOutcome[]> {
    const snapshots = events.map((event) => ({
      customerId: event.customerId,
      balances: parseBalances(event),
      ...customerPositionOf(event),
    }));
    const newest = newestPerCustomer(snapshots);
    const applied = await this.pins.applyBalanceSnapshots(em, [...newest.values()]);
    return snapshots.map((s) =>
      newest.get(s.customerId) === s && applied.has(s.customerId) ? 'applied' : 'stale',
    );
  }
}

/** Minor units per currency; an event that breaks the money rules can never apply (DLQ). */
export function parseBalances(event: BalanceChanged): BalanceMinor[] {
  const seen = new Set<string>();
  return event.balances.map((b, i) => {
    const field = `balances[${i}]`;
    if (seen.has(b.currency)) throw new FatalEventError(`${field}: currency ${b.currency} appears twice`);
    seen.add(b.currency);
    const amount = (money: { amount: string; currency: string } | undefined, name: string): bigint => {
      if (!money) return 0n;
      if (money.currency !== b.currency) {
        throw new FatalEventError(`${field}.${name} is in ${money.currency}, not ${b.currency}`);
      }
      try {
        return Money.of(money.amount, money.currency, { allowNegative: true, field: `${field}.${name}` })
          .minor;
      } catch (err) {
        if (isMoneyError(err)) throw new FatalEventError(err.message);
        throw err;
      }
    };
    return {
      currency: b.currency,
      outstanding: amount(b.outstanding, 'outstanding'),
      overdue: amount(b.overdue, 'overdue'),
    };
  });
}
