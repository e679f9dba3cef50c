import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { CustomerTier } from '../reminder-policy/reminder-policy';

/** What notifications knows of a customer (from customers.customer-upserted.v1). */
@Entity({ name: 'customers' })
export class CustomerEntity {
  @PrimaryColumn({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ type: 'text' })
  name!: string;

  /** An IANA zone Intl knows; 'UTC' when the customer's was empty or unknown. */
  @Column({ name: 'time_zone', type: 'text' })
  timeZone!: string;

  /** BCP 47 tag as the customer master holds it; empty when unknown. */
  @Column({ type: 'text' })
  locale!: string;

  @Column({ type: 'text' })
  tier!: CustomerTier;

  /** occurred_at of the last event applied; older events are ignored. */
  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
