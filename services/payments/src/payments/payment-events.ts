import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  PaymentReceivedSchema,
  PaymentReversedSchema,
  RefundIssuedSchema,
  ReversalReason,
  Topic,
} from '@duemap/events';
import { eventTopic, type OutboxEvent } from '@duemap/messaging';
import { Money } from '@duemap/money';
import type { Context } from '@opentelemetry/api';
import { methodToProto, ruleToProto } from './payment-enums';
import { ledgerOf } from './payment-ledger';
import type { PaymentAllocationEntity, PaymentEntity, PaymentRefundEntity } from './payment.entity';

/** Why a payment is reversed, as the API names it. */
export const REVERSAL_REASONS = [
  'returned',
  'insufficient_funds',
  'duplicate',
  'entered_in_error',
  'chargeback',
  'other',
] as const;
export type ReversalReasonName = (typeof REVERSAL_REASONS)[number];

const REASON_TO_PROTO: Record<ReversalReasonName, ReversalReason> = {
  returned: ReversalReason.RETURNED,
  insufficient_funds: ReversalReason.INSUFFICIENT_FUNDS,
  duplicate: ReversalReason.DUPLICATE,
  entered_in_error: ReversalReason.ENTERED_IN_ERROR,
  chargeback: ReversalReason.CHARGEBACK,
  other: ReversalReason.OTHER,
};

const money = (minor: bigint, currency: string) => Money.fromMinor(minor, currency).toJSON();

function customerOf(payment: PaymentEntity): string {
  if (payment.customerId === null) throw new Error(`payment ${payment.id} has no customer; it cannot emit`);
  return payment.customerId;
}

/** payments.payment-received.v1 for a decided payment, from what is stored (the one place it is built). */
export function paymentReceivedEvent(
  payment: PaymentEntity,
  allocations: readonly PaymentAllocationEntity[],
  source: { sourceSystem: string; externalId: string },
  traceContext?: Context,
): OutboxEvent<typeof PaymentReceivedSchema> {
  const amountMinor = BigInt(payment.amountMinor);
  const ledger = ledgerOf(
    amountMinor,
    allocations.map((a) => ({ appliedMinor: BigInt(a.appliedMinor), rejectedMinor: 0n, reversed: false })),
    0n,
    false,
  );
  const at = payment.reviewedAt ?? payment.createdAt;
  return {
    topic: eventTopic(Topic.PaymentReceived),
    key: customerOf(payment),
    occurredAt: at,
    traceContext,
    event: {
      customerId: customerOf(payment),
      occurredAt: timestampFromDate(at),
      paymentId: payment.id,
      amount: money(amountMinor, payment.currency),
      allocations: [...allocations]
        .sort((a, b) => a.position - b.position)
        .map((a) => ({
          invoiceId: a.invoiceId,
          applied: money(BigInt(a.appliedMinor), payment.currency),
          rule: ruleToProto(a.rule),
          invoiceNumber: a.invoiceNumber,
          ...(a.invoiceOpenAfterMinor !== null && {
            invoiceOpenAfter: money(BigInt(a.invoiceOpenAfterMinor), payment.currency),
          }),
        })),
      unapplied: money(ledger.unappliedMinor, payment.currency),
      method: methodToProto(payment.method),
      reference: payment.reference,
      receivedAt: timestampFromDate(payment.receivedAt),
      source,
    },
  };
}

/**
 * payments.payment-reversed.v1: the allocations in effect (applied − rejected) come back open, and
 * the unapplied part still held (not refunded) stops being the customer's credit.
 */
export function paymentReversedEvent(
  payment: PaymentEntity,
  undone: readonly PaymentAllocationEntity[],
  reversedUnappliedMinor: bigint,
  reason: ReversalReasonName,
  detail: string,
  requestId: string,
  at: Date,
): OutboxEvent<typeof PaymentReversedSchema> {
  return {
    topic: eventTopic(Topic.PaymentReversed),
    key: customerOf(payment),
    occurredAt: at,
    event: {
      customerId: customerOf(payment),
      occurredAt: timestampFromDate(at),
      paymentId: payment.id,
      amount: money(BigInt(payment.amountMinor), payment.currency),
      reversedAllocations: undone
        .map((a) => ({ invoiceId: a.invoiceId, minor: BigInt(a.appliedMinor) - BigInt(a.rejectedMinor) }))
        .filter((a) => a.minor > 0n)
        .map((a) => ({ invoiceId: a.invoiceId, amount: money(a.minor, payment.currency) })),
      reversedUnapplied: money(reversedUnappliedMinor, payment.currency),
      reason: REASON_TO_PROTO[reason],
      detail,
      source: { sourceSystem: 'api', externalId: requestId },
    },
  };
}

/** payments.refund-issued.v1: the customer's credit shrinks by the refund; invoices are untouched. */
export function refundIssuedEvent(
  refund: PaymentRefundEntity,
  method: PaymentEntity['method'],
): OutboxEvent<typeof RefundIssuedSchema> {
  return {
    topic: eventTopic(Topic.RefundIssued),
    key: refund.customerId,
    occurredAt: refund.createdAt,
    event: {
      customerId: refund.customerId,
      occurredAt: timestampFromDate(refund.createdAt),
      refundId: refund.id,
      amount: money(BigInt(refund.amountMinor), refund.currency),
      paymentId: refund.paymentId,
      method: methodToProto(method),
      reference: refund.reference,
      source: { sourceSystem: 'api', externalId: refund.idempotencyKey },
    },
  };
}
