import { Injectable } from '@nestjs/common';
import type { BalanceChanged } from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import { isMoneyError, Money } from '@duemap/money';
import type { EntityManager } from 'typeorm';
import { occurredAtOf } from '../event-time';
import { PinRepository, type BalanceMinor } from '../pin.repository';

export type BalanceOutcome = 'applied' | 'stale';

/** Puts a customer's outstanding and overdue amounts (per currency) on its pin, from balance-changed. */
@Injectable()
export class ApplyBalanceChangeUseCase {
  constructor(private readonly pins: PinRepository) {}

  async execute(event: BalanceChanged, em: EntityManager): Promise<BalanceOutcome> {
    const balances = parseBalances(event);
    const occurredAt = occurredAtOf(event);
    const applied = await this.pins.applyBalances(em, event.customerId, balances, occurredAt);
    return applied ? 'applied' : 'stale';
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
