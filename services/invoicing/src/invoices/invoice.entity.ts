import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { InvoiceStatus } from './invoice-status';

/** A line as stored (jsonb), already normalised: canonical money strings, numbered from 1. */
export interface StoredInvoiceLine {
  lineNumber: number;
  description: string;
  /** Decimal string; empty when the source had none. */
  quantity: string;
  unitPrice?: { amount: string; currency: string };
  amount: { amount: string; currency: string };
  tax?: { amount: string; currency: string };
}

/**
 * An invoice. Money is bigint minor units plus one currency (TypeORM hands bigints over as
 * strings); dates are `date` columns, read back as 'YYYY-MM-DD'. Invariant (checked by the
 * table): open = total - paid unless void, where open is 0.
 */
@Entity({ name: 'invoices' })
export class InvoiceEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId!: string;

  @Column({ name: 'source_system', type: 'text' })
  sourceSystem!: string;

  @Column({ name: 'external_id', type: 'text' })
  externalId!: string;

  /** The customer reference the source used, when the invoice named its customer that way. */
  @Column({ name: 'customer_source_system', type: 'text', nullable: true })
  customerSourceSystem!: string | null;

  @Column({ name: 'customer_external_id', type: 'text', nullable: true })
  customerExternalId!: string | null;

  @Column({ type: 'text' })
  number!: string;

  @Column({ name: 'issue_date', type: 'date' })
  issueDate!: string;

  @Column({ name: 'due_date', type: 'date' })
  dueDate!: string;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ name: 'total_minor', type: 'bigint' })
  totalMinor!: string;

  @Column({ name: 'paid_minor', type: 'bigint' })
  paidMinor!: string;

  @Column({ name: 'open_minor', type: 'bigint' })
  openMinor!: string;

  @Column({ type: 'text' })
  status!: InvoiceStatus;

  /** The customer's IANA time zone when the invoice was last written; the day boundary for overdue. */
  @Column({ name: 'time_zone', type: 'text' })
  timeZone!: string;

  /** First instant of the day after the due date in time_zone; the scan picks rows past it. */
  @Column({ name: 'overdue_at', type: 'timestamptz' })
  overdueAt!: Date;

  @Column({ type: 'jsonb' })
  lines!: StoredInvoiceLine[];

  @Column({ name: 'void_reason', type: 'text', nullable: true })
  voidReason!: string | null;

  @Column({ name: 'voided_at', type: 'timestamptz', nullable: true })
  voidedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /**
   * Incremented, under the row lock, with every change written; the change's events carry it
   * (invoice_version), so consumers order them without trusting clocks. Bigint as text.
   */
  @Column({ type: 'bigint', default: 0 })
  version!: string;

  /**
   * The source's own version of the record (erp.invoices.v1 sourceVersion, or the upsert's): an
   * update carrying a lower one is stale and ignored. Null when the source never gave one.
   */
  @Column({ name: 'source_version', type: 'bigint', nullable: true })
  sourceVersion!: string | null;
}

/**
 * One payment's cash applied to one invoice. The key makes a replayed payment a no-op; a reversal
 * of the payment marks the row (reversed_at) instead of deleting it, so a replay stays a no-op.
 */
@Entity({ name: 'invoice_payments' })
export class InvoicePaymentEntity {
  @PrimaryColumn({ name: 'payment_id', type: 'text' })
  paymentId!: string;

  @PrimaryColumn({ name: 'invoice_id', type: 'uuid' })
  invoiceId!: string;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ name: 'applied_minor', type: 'bigint' })
  appliedMinor!: string;

  @Column({ name: 'applied_at', type: 'timestamptz' })
  appliedAt!: Date;

  /** What a reversal of the payment gave back to the invoice (0..applied); 0 while not reversed. */
  @Column({ name: 'reversed_minor', type: 'bigint', default: 0 })
  reversedMinor!: string;

  /** When the payment's reversal reopened this application; null while it is in effect. */
  @Column({ name: 'reversed_at', type: 'timestamptz', nullable: true })
  reversedAt!: Date | null;
}

/** The part of a payment allocation invoicing refused, and why (audit trail of allocation-rejected). */
@Entity({ name: 'allocation_rejections' })
export class AllocationRejectionEntity {
  @PrimaryColumn({ type: 'bigint', generated: 'identity', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ name: 'payment_id', type: 'text' })
  paymentId!: string;

  /** As the allocation named it: may be no invoice at all. */
  @Column({ name: 'invoice_id', type: 'text' })
  invoiceId!: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ name: 'requested_minor', type: 'bigint' })
  requestedMinor!: string;

  @Column({ name: 'rejected_minor', type: 'bigint' })
  rejectedMinor!: string;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'text' })
  detail!: string;

  @Column({ name: 'rejected_at', type: 'timestamptz' })
  rejectedAt!: Date;
}
