import { Column, Entity, PrimaryColumn } from 'typeorm';

export type InvoiceKind = 'invoice' | 'credit_note' | 'unknown';
export type InvoiceStatusName = 'open' | 'partially_paid' | 'paid' | 'overdue' | 'void' | 'unknown';

/** Projection of an invoice from invoicing's events; reminders are planned from it. */
@Entity({ name: 'invoices' })
export class InvoiceEntity {
  @PrimaryColumn({ name: 'invoice_id', type: 'text' })
  invoiceId!: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ type: 'text' })
  number!: string;

  @Column({ type: 'text' })
  kind!: InvoiceKind;

  @Column({ type: 'text' })
  status!: InvoiceStatusName;

  /** YYYY-MM-DD; null for credit notes (and when no event told it yet). */
  @Column({ name: 'due_date', type: 'date', nullable: true })
  dueDate!: string | null;

  /** Open amount in minor units (TypeORM hands bigint back as a string). */
  @Column({ name: 'open_minor', type: 'bigint', nullable: true })
  openMinor!: string | null;

  @Column({ type: 'char', length: 3, nullable: true })
  currency!: string | null;

  /**
   * invoice_version of the last event applied (0: it had none). With occurred_at, what tells an
   * older event from a newer one (compareEventPositions in @duemap/events). Bigint as text.
   */
  @Column({ type: 'bigint', default: 0 })
  version!: string;

  /** occurred_at of the last event applied. */
  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
