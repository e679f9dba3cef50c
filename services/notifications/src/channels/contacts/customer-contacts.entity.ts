import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One contact of a customer as reminders use it (from customer-upserted's contacts). */
export interface ContactJson {
  readonly name: string;
  /** Empty when the contact has none. */
  readonly email: string;
  /** E.164; empty when none. */
  readonly phone: string;
  readonly role: string;
  /** BCP 47; empty means the customer's language. */
  readonly locale: string;
}

/** Where a customer's reminders go: its contacts for receivables. Personal data. */
@Entity({ name: 'customer_contacts' })
export class CustomerContactsEntity {
  @PrimaryColumn({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ type: 'jsonb' })
  contacts!: ContactJson[];

  /** customer_version of the last event applied (0: it had none); bigint as text. */
  @Column({ type: 'bigint', default: 0 })
  version!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
