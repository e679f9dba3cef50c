import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What customers knows of one invoice (or credit note) of invoicing: enough for balances. */
@Entity({ name: 'invoice_balances' })
export class InvoiceBalanceEntity {
  @PrimaryColumn({ name: 'invoice_id', type: 'text' })
  invoiceId!: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  /** Signed minor units (credit notes are negative). */
  @Column({ name: 'open_minor', type: 'bigint' })
  openMinor!: string;

  @Column({ type: 'boolean' })
  overdue!: boolean;

  @Column({ type: 'boolean' })
  void!: boolean;

  /**
   * invoice_version of the last event applied (0: it had none). With last_occurred_at, where an
   * older event of this invoice is told from a newer one (compareEventPositions in @duemap/events).
   */
  @Column({ name: 'last_version', type: 'bigint', default: 0 })
  lastVersion!: string;

  /** occurred_at of the last event applied. */
  @Column({ name: 'last_occurred_at', type: 'timestamptz' })
  lastOccurredAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

export type CreditKind = 'payment-unapplied' | 'allocation-rejected' | 'payment-reversed' | 'refund';

/** One signed change of a customer's unapplied credit; entry_key makes each fact count once. */
@Entity({ name: 'credit_entries' })
export class CreditEntryEntity {
  @PrimaryColumn({ name: 'entry_key', type: 'text' })
  entryKey!: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ type: 'text' })
  kind!: CreditKind;

  @Column({ name: 'payment_id', type: 'text', nullable: true })
  paymentId!: string | null;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ name: 'amount_minor', type: 'bigint' })
  amountMinor!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
