import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const PAYMENT_METHODS = ['bank_transfer', 'card', 'cheque', 'cash', 'e_wallet'] as const;
export type PaymentMethodName = (typeof PAYMENT_METHODS)[number];
export type AllocationRuleName = 'explicit' | 'oldest_due_first';
export type PaymentStatus = 'received';

/** Name of the unique constraint that makes an idempotency key yield at most one payment. */
export const IDEMPOTENCY_KEY_CONSTRAINT = 'payment_idempotency_key_uq';

@Entity('payment')
@Index('payment_customer_idx', ['customerId', 'createdAt'])
export class PaymentEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

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

  /** Part invoicing refused (allocation-rejected); it is unapplied cash of the payment again. */
  @Column({ name: 'rejected_minor', type: 'bigint' })
  rejectedMinor!: string;

  @Column({ type: 'text' })
  rule!: AllocationRuleName;

  @Column({ name: 'rejection_reason', type: 'text', nullable: true })
  rejectionReason!: string | null;

  @Column({ name: 'rejected_at', type: 'timestamptz', nullable: true })
  rejectedAt!: Date | null;
}
