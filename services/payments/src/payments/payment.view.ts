import { Money, sumMoney, type MoneyJson } from '@duemap/money';
import type {
  AllocationRuleName,
  PaymentAllocationEntity,
  PaymentEntity,
  PaymentMethodName,
  PaymentStatus,
} from './payment.entity';

export interface AllocationView {
  invoiceId: string;
  invoiceNumber: string;
  /** What is applied now: what payments decided, less what invoicing rejected. */
  applied: MoneyJson;
  rule: AllocationRuleName;
  /** Only when invoicing rejected (part of) it. */
  rejected?: MoneyJson;
  rejectionReason?: string;
}

/** The public shape of a payment (GET /api/v1/payments/{id}, and the answer to POST). */
export interface PaymentView {
  id: string;
  customerId: string;
  amount: MoneyJson;
  receivedAt: string;
  method: PaymentMethodName;
  reference: string;
  allocations: AllocationView[];
  unapplied: MoneyJson;
  status: PaymentStatus;
}

export function toPaymentView(
  payment: PaymentEntity,
  allocations: readonly PaymentAllocationEntity[],
): PaymentView {
  const { currency } = payment;
  const amount = Money.fromMinor(BigInt(payment.amountMinor), currency);
  const views = [...allocations]
    .sort((a, b) => a.position - b.position)
    .map((a) => {
      const rejected = Money.fromMinor(BigInt(a.rejectedMinor), currency);
      const applied = Money.fromMinor(BigInt(a.appliedMinor), currency).subtract(rejected);
      const view: AllocationView = {
        invoiceId: a.invoiceId,
        invoiceNumber: a.invoiceNumber,
        applied: applied.toJSON(),
        rule: a.rule,
      };
      if (rejected.isPositive()) {
        view.rejected = rejected.toJSON();
        if (a.rejectionReason !== null) view.rejectionReason = a.rejectionReason;
      }
      return { view, applied };
    });
  const applied = sumMoney(
    views.map((v) => v.applied),
    currency,
  );
  return {
    id: payment.id,
    customerId: payment.customerId,
    amount: amount.toJSON(),
    receivedAt: payment.receivedAt.toISOString(),
    method: payment.method,
    reference: payment.reference,
    allocations: views.map((v) => v.view),
    unapplied: amount.subtract(applied).toJSON(),
    status: payment.status,
  };
}
