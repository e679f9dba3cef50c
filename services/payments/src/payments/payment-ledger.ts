import type { PaymentStatus } from './payment.entity';

/**
 * A payment's money in one place (minor units, one currency). Invariant, for every payment:
 * amount = applied + unapplied + refunded, nothing negative; a reversed payment has applied,
 * unapplied and refunded-after-reversal all undone (what it had refunded before stays refunded,
 * and is then owed back by the customer: the reversal takes it from nobody's credit).
 */
export interface LedgerAllocation {
  appliedMinor: bigint;
  rejectedMinor: bigint;
  reversed: boolean;
}

export interface PaymentLedger {
  amountMinor: bigint;
  /** On invoices now: applied − rejected of allocations not reversed. */
  appliedMinor: bigint;
  /** The customer's credit from this payment: amount − applied − refunded (0 once reversed). */
  unappliedMinor: bigint;
  refundedMinor: bigint;
}

export function ledgerOf(
  amountMinor: bigint,
  allocations: readonly LedgerAllocation[],
  refundedMinor: bigint,
  reversed: boolean,
): PaymentLedger {
  const appliedMinor = allocations.reduce(
    (sum, a) => (a.reversed ? sum : sum + a.appliedMinor - a.rejectedMinor),
    0n,
  );
  const unappliedMinor = reversed ? 0n : amountMinor - appliedMinor - refundedMinor;
  if (unappliedMinor < 0n) {
    throw new Error(
      `payment ledger: applied ${appliedMinor} + refunded ${refundedMinor} exceed ${amountMinor}`,
    );
  }
  return { amountMinor, appliedMinor: reversed ? 0n : appliedMinor, unappliedMinor, refundedMinor };
}

/** The status a payment's money gives it (needs_review and reversed are decisions, not sums). */
export function statusOf(
  ledger: PaymentLedger,
  decision: 'needs_review' | 'reversed' | 'decided',
): PaymentStatus {
  if (decision !== 'decided') return decision;
  if (ledger.appliedMinor === ledger.amountMinor) return 'applied';
  if (ledger.appliedMinor > 0n) return 'partially_applied';
  if (ledger.refundedMinor > 0n && ledger.unappliedMinor === 0n) return 'refunded';
  return 'received';
}

/** The status of a payment just decided with these applied amounts (nothing rejected, reversed or refunded yet). */
export function statusOfDecided(amountMinor: bigint, appliedMinors: readonly bigint[]): PaymentStatus {
  return statusOf(
    ledgerOf(
      amountMinor,
      appliedMinors.map((appliedMinor) => ({ appliedMinor, rejectedMinor: 0n, reversed: false })),
      0n,
      false,
    ),
    'decided',
  );
}
