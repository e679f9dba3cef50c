import type { ArStatusName, StoredBalance } from '../customers/customer.entity';

/** An open item as balances see it: one invoice or credit note, or an aggregate of like ones. */
export interface OpenItem {
  currency: string;
  /** Signed minor units; credit notes are negative. */
  openMinor: bigint;
  overdue: boolean;
  void: boolean;
}

/** A signed change of unapplied credit (payment unapplied part, rejected allocation, reversal, refund). */
export interface CreditItem {
  currency: string;
  amountMinor: bigint;
}

export interface CurrencyBalance {
  currency: string;
  /** Sum of open amounts of non-void items minus unapplied credit. */
  outstandingMinor: bigint;
  /** Sum of open amounts of non-void overdue items (before credit). */
  overdueMinor: bigint;
  /** Unapplied credit, never below zero. */
  unappliedMinor: bigint;
}

/**
 * Per currency, for every currency with activity (an item, void or not, or a credit entry),
 * ordered by currency code. Currencies are never summed together.
 *
 * Unapplied credit is floored at zero: events of different topics arrive in any order, so a
 * reversal or refund may be seen before the payment it undoes; the credit is then "not yet
 * known" rather than negative, and outstanding never exceeds the open amounts because of it.
 */
export function computeBalances(
  items: readonly OpenItem[],
  credits: readonly CreditItem[],
): CurrencyBalance[] {
  const byCurrency = new Map<string, { open: bigint; overdue: bigint; credit: bigint }>();
  const entry = (currency: string) => {
    let e = byCurrency.get(currency);
    if (e === undefined) {
      e = { open: 0n, overdue: 0n, credit: 0n };
      byCurrency.set(currency, e);
    }
    return e;
  };
  for (const item of items) {
    const e = entry(item.currency);
    if (item.void) continue;
    e.open += item.openMinor;
    if (item.overdue) e.overdue += item.openMinor;
  }
  for (const credit of credits) entry(credit.currency).credit += credit.amountMinor;
  return [...byCurrency.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([currency, e]) => {
      const unapplied = e.credit > 0n ? e.credit : 0n;
      return {
        currency,
        outstandingMinor: e.open - unapplied,
        overdueMinor: e.overdue,
        unappliedMinor: unapplied,
      };
    });
}

/**
 * OVERDUE if any non-void overdue item has an open amount > 0, else UNPAID if any non-void item
 * has an open amount > 0, else PAID (also for a customer without invoices). Unapplied credit does
 * not make an invoice paid: invoicing does that when it applies the cash.
 */
export function computeStatus(items: readonly OpenItem[]): ArStatusName {
  let unpaid = false;
  for (const item of items) {
    if (item.void || item.openMinor <= 0n) continue;
    if (item.overdue) return 'overdue';
    unpaid = true;
  }
  return unpaid ? 'unpaid' : 'paid';
}

export function toStored(balances: readonly CurrencyBalance[]): StoredBalance[] {
  return balances.map((b) => ({
    currency: b.currency,
    outstanding: b.outstandingMinor.toString(),
    overdue: b.overdueMinor.toString(),
    unapplied: b.unappliedMinor.toString(),
  }));
}

export function sameBalances(a: readonly StoredBalance[], b: readonly StoredBalance[]): boolean {
  const key = (list: readonly StoredBalance[]) =>
    JSON.stringify(
      [...list]
        .sort((x, y) => (x.currency < y.currency ? -1 : 1))
        .map((x) => [x.currency, x.outstanding, x.overdue, x.unapplied]),
    );
  return key(a) === key(b);
}
