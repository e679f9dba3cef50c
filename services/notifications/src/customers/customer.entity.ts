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

  /**
   * customer_version of the last event applied (0: it had none). With occurred_at, what tells an
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
