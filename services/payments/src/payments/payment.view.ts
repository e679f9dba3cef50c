import { Money, type MoneyJson } from '@duemap/money';
import { ledgerOf } from './payment-ledger';
import type {
  AllocationRuleName,
  PaymentAllocationEntity,
  PaymentEntity,
  PaymentMethodName,
  PaymentSource,
  PaymentStatus,
} from './payment.entity';

export interface AllocationView {
  invoiceId: string;
  invoiceNumber: string;
  /** What is applied now: what payments decided, less what invoicing rejected. */
  applied: MoneyJson;
  rule: AllocationRuleName;
  /** 0..1, when cash application's engine decided it. */
  confidence?: number;
  /** Why the engine chose it, for people. */
  evidence?: string[];
  /** Only when invoicing rejected (part of) it. */
  rejected?: MoneyJson;
  rejectionReason?: string;
  /** Only when a reversal undid it. */
  reversed?: true;
}

export interface SuggestionView {
  customerId: string | null;
  customerRule: string | null;
  allocations: {
    invoiceId: string;
    invoiceNumber: string;
    amount: MoneyJson;
    rule: AllocationRuleName;
    confidence: number;
    evidence: string[];
  }[];
}

/** The public shape of a payment (GET /api/v1/payments/{id}, the listing, and the answer to POST). */
export interface PaymentView {
  id: string;
  /** Null only while the payment waits for review and its payer is not identified. */
  customerId: string | null;
  amount: MoneyJson;
  receivedAt: string;
  method: PaymentMethodName;
  reference: string;
  source: PaymentSource;
  allocations: AllocationView[];
  /** The customer's credit from this payment: amount − applied − refunded. */
  unapplied: MoneyJson;
  refunded: MoneyJson;
  status: PaymentStatus;
  payer?: { name: string | null; account: string | null };
  bank?: {
    endToEndId: string | null;
    transactionId: string | null;
    statementId: string | null;
    lineNo: number | null;
  };
  /** How sure cash application was (0..1), when its engine decided. */
  confidence?: number;
  /** For a payment waiting in the worklist: why, and what the engine suggests. */
  review?: { reasons: string[]; suggestion: SuggestionView | null; evidence: string[] };
  reviewedBy?: string;
  reviewedAt?: string;
  reversal?: { at: string; reason: string; detail: string; by: string };
}

function fromMinor(minor: string | bigint, currency: string): MoneyJson {
  return Money.fromMinor(BigInt(minor), currency).toJSON();
}

export function toPaymentView(
  payment: PaymentEntity,
  allocations: readonly PaymentAllocationEntity[],
): PaymentView {
  const { currency } = payment;
  const reversed = payment.status === 'reversed';
  const ledger = ledgerOf(
    BigInt(payment.amountMinor),
    allocations.map((a) => ({
      appliedMinor: BigInt(a.appliedMinor),
      rejectedMinor: BigInt(a.rejectedMinor),
      reversed: (a.reversedAt ?? null) !== null,
    })),
    BigInt(payment.refundedMinor ?? '0'),
    reversed,
  );
  const views = [...allocations]
    .sort((a, b) => a.position - b.position)
    .map((a): AllocationView => {
      const rejected = BigInt(a.rejectedMinor);
      const view: AllocationView = {
        invoiceId: a.invoiceId,
        invoiceNumber: a.invoiceNumber,
        applied: fromMinor(BigInt(a.appliedMinor) - rejected, currency),
        rule: a.rule,
      };
      if ((a.confidence ?? null) !== null) view.confidence = Number(a.confidence);
      if (a.evidence !== undefined && a.evidence.length > 0) view.evidence = a.evidence;
      if (rejected > 0n) {
        view.rejected = fromMinor(rejected, currency);
        if (a.rejectionReason !== null) view.rejectionReason = a.rejectionReason;
      }
      if ((a.reversedAt ?? null) !== null) view.reversed = true;
      return view;
    });
  const view: PaymentView = {
    id: payment.id,
    customerId: payment.customerId,
    amount: fromMinor(payment.amountMinor, currency),
    receivedAt: payment.receivedAt.toISOString(),
    method: payment.method,
    reference: payment.reference,
    source: payment.source ?? 'api',
    allocations: views,
    unapplied: fromMinor(ledger.unappliedMinor, currency),
    refunded: fromMinor(ledger.refundedMinor, currency),
    status: payment.status,
  };
  if ((payment.payerName ?? null) !== null || (payment.payerAccount ?? null) !== null) {
    view.payer = { name: payment.payerName, account: payment.payerAccount };
  }
  if ((payment.statementId ?? null) !== null || (payment.endToEndId ?? null) !== null) {
    view.bank = {
      endToEndId: payment.endToEndId,
      transactionId: payment.bankTransactionId,
      statementId: payment.statementId,
      lineNo: payment.statementLineNo,
    };
  }
  if ((payment.confidence ?? null) !== null) {
    view.confidence = Number(payment.confidence);
  }
  if (payment.status === 'needs_review') {
    const s = payment.suggestion;
    view.review = {
      reasons: payment.reviewReasons,
      evidence: payment.evidence,
      suggestion:
        s === null
          ? null
          : {
              customerId: s.customerId,
              customerRule: s.customerRule,
              allocations: s.allocations.map((a) => ({
                invoiceId: a.invoiceId,
                invoiceNumber: a.invoiceNumber,
                amount: fromMinor(a.amountMinor, currency),
                rule: a.rule,
                confidence: a.confidence,
                evidence: a.evidence,
              })),
            },
    };
  }
  if ((payment.reviewedBy ?? null) !== null && payment.reviewedAt) {
    view.reviewedBy = payment.reviewedBy as string;
    view.reviewedAt = payment.reviewedAt.toISOString();
  }
  if (reversed && payment.reversedAt) {
    view.reversal = {
      at: payment.reversedAt.toISOString(),
      reason: payment.reversalReason ?? 'other',
      detail: payment.reversalDetail ?? '',
      by: payment.reversedBy ?? '',
    };
  }
  return view;
}
