import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * What payments knows of a customer, projected from customers.customer-upserted.v1 (or fetched
 * from the customers service on a miss). Its row is also the lock that serialises one
 * customer's payments (`SELECT … FOR UPDATE`), which keeps that customer's events in outbox order;
 * each payment writes a new, unchanged version of it, so that a payment which waited for the lock
 * can tell its snapshot is stale (PaymentsRepository.lockForPayment).
 */
@Entity('customer_view')
export class CustomerViewEntity {
  @PrimaryColumn({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ type: 'text' })
  name!: string;

  /** occurred_at of the last event applied; null for a row fetched over HTTP (any event wins). */
  @Column({ name: 'last_occurred_at', type: 'timestamptz', nullable: true })
  lastOccurredAt!: Date | null;

  /** customer_version of the last event applied (0: none, or it had none). Bigint as text. */
  @Column({ name: 'last_version', type: 'bigint', default: 0 })
  lastVersion!: string;

  /** Keys cash application finds the customer by (customerNameIndexKeys of its name). */
  @Column({ name: 'name_keys', type: 'text', array: true, default: '{}' })
  nameKeys!: string[];

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
