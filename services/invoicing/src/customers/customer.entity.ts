import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * What invoicing knows of a customer (read model of customers.customer-upserted.v1): that it
 * exists and its time zone, the day boundary for overdue.
 */
@Entity({ name: 'customers' })
export class CustomerEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'time_zone', type: 'text' })
  timeZone!: string;

  /**
   * occurred_at of the last customer-upserted applied; older events are ignored. Null when the
   * row came from the customers HTTP API (a read-model miss): any event then overwrites it.
   */
  @Column({ name: 'last_event_at', type: 'timestamptz', nullable: true })
  lastEventAt!: Date | null;

  /**
   * customer_version of the last customer-upserted applied (0: none, or it had none); with
   * last_event_at, what tells an older event from a newer one (compareEventPositions).
   */
  @Column({ name: 'last_event_version', type: 'bigint', default: 0 })
  lastEventVersion!: string;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** sourceSystem + externalId -> customer, so invoices can name their customer the ERP's way. */
@Entity({ name: 'customer_sources' })
export class CustomerSourceEntity {
  @PrimaryColumn({ name: 'source_system', type: 'text' })
  sourceSystem!: string;

  @PrimaryColumn({ name: 'external_id', type: 'text' })
  externalId!: string;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId!: string;
}
