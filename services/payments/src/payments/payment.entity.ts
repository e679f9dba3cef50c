import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { MatchRule } from '../cash-application/cash-application.types';

export const PAYMENT_METHODS = ['bank_transfer', 'card', 'cheque', 'cash', 'e_wallet'] as const;
export type PaymentMethodName = (typeof PAYMENT_METHODS)[number];
/** Why cash application chose an invoice (the engine's steps, ADR 0031). */
export type AllocationRuleName = MatchRule;
export const PAYMENT_STATUSES = [
  'received',
  'applied',
  'partially_applied',
  'needs_review',
  'reversed',
  'refunded',
] as const;
/**
 * received: nothing applied, all of it the customer's credit; applied / partially_applied: all or
 * part on invoices; needs_review: waiting in the exceptions worklist (no decision, no event yet);
 * reversed: undone (bounced, chargeback); refunded: what was left unapplied has been paid back.
 */
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
export const PAYMENT_SOURCES = ['api', 'bank_statement', 'bank_topic'] as const;
export type PaymentSource = (typeof PAYMENT_SOURCES)[number];

/** The engine's suggestion for a payment waiting for review, as stored (amounts in minor units). */
export interface StoredSuggestion {
  customerId: string | null;
  customerRule: string | null;
  allocations: {
    invoiceId: string;
    invoiceNumber: string;
    amountMinor: string;
    rule: MatchRule;
    confidence: number;
    evidence: string[];
  }[];
}

/** Name of the unique constraint that makes an idempotency key yield at most one payment. */
export const IDEMPOTENCY_KEY_CONSTRAINT = 'payment_idempotency_key_uq';

@Entity('payment')
@Index('payment_customer_idx', ['customerId', 'createdAt'])
export class PaymentEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** Null only while a payment waits for review and its payer is not identified. */
  @Column({ name: 'customer_id', type: 'text', nullable: true })
  customerId!: string | null;

  /** Minor units, positive. TypeORM hands bigint columns over as strings. */
  @Column({ name: 'amount_minor', type: 'bigint' })
  amountMinor!: string;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ type: 'text' })
  method!: PaymentMethodName;

  @Column({ type: 'text' })
  reference!: string;

  @Column({ type: 'text' })
  status!: PaymentStatus;

  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey!: string;

  /** SHA-256 (hex) of the canonical request body the key was first used with. */
  @Column({ name: 'request_hash', type: 'text' })
  requestHash!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'text', default: 'api' })
  source!: PaymentSource;

  @Column({ name: 'payer_name', type: 'text', nullable: true })
  payerName!: string | null;

  @Column({ name: 'payer_account', type: 'text', nullable: true })
  payerAccount!: string | null;

  @Column({ name: 'end_to_end_id', type: 'text', nullable: true })
  endToEndId!: string | null;

  @Column({ name: 'bank_transaction_id', type: 'text', nullable: true })
  bankTransactionId!: string | null;

  @Column({ name: 'statement_id', type: 'uuid', nullable: true })
  statementId!: string | null;

  @Column({ name: 'statement_line_no', type: 'int', nullable: true })
  statementLineNo!: number | null;

  /** The engine's overall confidence (0..1), null for a payment decided without it. Numeric as text. */
  @Column({ type: 'numeric', precision: 4, scale: 3, nullable: true })
  confidence!: string | null;

  @Column({ name: 'review_reasons', type: 'text', array: true, default: '{}' })
  reviewReasons!: string[];

  @Column({ type: 'jsonb', nullable: true })
  suggestion!: StoredSuggestion | null;

  @Column({ type: 'text', array: true, default: '{}' })
  evidence!: string[];

  @Column({ name: 'reviewed_by', type: 'text', nullable: true })
  reviewedBy!: string | null;

  @Column({ name: 'reviewed_at', type: 'timestamptz', nullable: true })
  reviewedAt!: Date | null;

  @Column({ name: 'reversed_at', type: 'timestamptz', nullable: true })
  reversedAt!: Date | null;

  @Column({ name: 'reversal_reason', type: 'text', nullable: true })
  reversalReason!: string | null;

  @Column({ name: 'reversal_detail', type: 'text', nullable: true })
  reversalDetail!: string | null;

  @Column({ name: 'reversed_by', type: 'text', nullable: true })
  reversedBy!: string | null;

  /** Minor units of the unapplied part paid back (payment_refund rows add up to it). */
  @Column({ name: 'refunded_minor', type: 'bigint', default: '0' })
  refundedMinor!: string;

  @Column({ name: 'updated_at', type: 'timestamptz', nullable: true })
  updatedAt!: Date | null;
}

@Entity('payment_allocation')
@Index('payment_allocation_invoice_idx', ['invoiceId'])
export class PaymentAllocationEntity {
  @PrimaryColumn({ name: 'payment_id', type: 'uuid' })
  paymentId!: string;

  @PrimaryColumn({ name: 'invoice_id', type: 'text' })
  invoiceId!: string;

  /** Order in which cash application chose it (request order, or oldest due first). */
  @Column({ type: 'int' })
  position!: number;

  @Column({ name: 'invoice_number', type: 'text' })
  invoiceNumber!: string;

  /** What payments decided to apply, in the payment's currency (minor units, positive). */
  @Column({ name: 'applied_minor', type: 'bigint' })
  appliedMinor!: string;

  /**
   * What this allocation left open on the invoice, per payments' open amounts when it was decided
   * (ADR 0030); null for allocations decided before it was recorded.
   */
  @Column({ name: 'invoice_open_after_minor', type: 'bigint', nullable: true })
  invoiceOpenAfterMinor!: string | null;

  /** Part invoicing refused (allocation-rejected); it is unapplied cash of the payment again. */
  @Column({ name: 'rejected_minor', type: 'bigint' })
  rejectedMinor!: string;

  @Column({ type: 'text' })
  rule!: AllocationRuleName;

  @Column({ name: 'rejection_reason', type: 'text', nullable: true })
  rejectionReason!: string | null;

  @Column({ name: 'rejected_at', type: 'timestamptz', nullable: true })
  rejectedAt!: Date | null;

  /** The engine's confidence in this allocation (0..1); null when not decided by the engine. */
  @Column({ type: 'numeric', precision: 4, scale: 3, nullable: true })
  confidence!: string | null;

  @Column({ type: 'text', array: true, default: '{}' })
  evidence!: string[];

  /** Set when a reversal undid this allocation: it no longer counts against the invoice. */
  @Column({ name: 'reversed_at', type: 'timestamptz', nullable: true })
  reversedAt!: Date | null;
}

@Entity('payment_refund')
export class PaymentRefundEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'payment_id', type: 'uuid' })
  paymentId!: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ name: 'amount_minor', type: 'bigint' })
  amountMinor!: string;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ type: 'text' })
  method!: PaymentMethodName;

  @Column({ type: 'text' })
  reference!: string;

  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey!: string;

  @Column({ name: 'request_hash', type: 'text' })
  requestHash!: string;

  @Column({ name: 'refunded_by', type: 'text' })
  refundedBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
