import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type InvoiceKind = 'invoice' | 'credit_note';
export type InvoiceState = 'open' | 'partially_paid' | 'paid' | 'overdue' | 'void';

/**
 * What payments knows of an invoice, projected from invoicing's events (or fetched from the
 * invoicing service on a miss). The open amount is not taken from here: payments is the only
 * source of allocations, so it computes open = total − pre_settled − its own allocations that
 * invoicing has not rejected, which is exact at once instead of a round trip behind.
 */
@Entity('invoice_view')
@Index('invoice_view_customer_idx', ['customerId', 'currency'])
export class InvoiceViewEntity {
  @PrimaryColumn({ name: 'invoice_id', type: 'text' })
  invoiceId!: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ type: 'text' })
  number!: string;

  @Column({ type: 'text' })
  kind!: InvoiceKind;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  /** Minor units; TypeORM hands bigint columns over as strings. */
  @Column({ name: 'total_minor', type: 'bigint' })
  totalMinor!: string;

  /** Part of the total already settled when invoicing first reported it (total − open at issue). */
  @Column({ name: 'pre_settled_minor', type: 'bigint' })
  preSettledMinor!: string;

  /** The open amount as invoicing last reported it; informative, lags payments' own view. */
  @Column({ name: 'reported_open_minor', type: 'bigint', nullable: true })
  reportedOpenMinor!: string | null;

  @Column({ name: 'issue_date', type: 'date', nullable: true })
  issueDate!: string | null;

  @Column({ name: 'due_date', type: 'date', nullable: true })
  dueDate!: string | null;

  @Column({ type: 'text' })
  status!: InvoiceState;

  /** occurred_at of the last event applied; null for a row fetched over HTTP (any event wins). */
  @Column({ name: 'last_occurred_at', type: 'timestamptz', nullable: true })
  lastOccurredAt!: Date | null;

  /** invoice_version of the last event applied (0: none, or it had none). Bigint as text. */
  @Column({ name: 'last_version', type: 'bigint', default: 0 })
  lastVersion!: string;

  /** Keys cash application finds the invoice by (invoiceNumberIndexKeys of its number). */
  @Column({ name: 'number_keys', type: 'text', array: true, default: '{}' })
  numberKeys!: string[];

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
