import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Proof that a consumer group has applied an event. Inserted in the same transaction as the
 * handler's effect: a redelivered event finds its row and is skipped, so effects happen once.
 */
@Entity({ name: 'inbox' })
export class InboxMessageEntity {
  @PrimaryColumn({ name: 'consumer_group', type: 'text' })
  consumerGroup!: string;

  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ type: 'text' })
  topic!: string;

  @Column({ type: 'int' })
  partition!: number;

  @Column({ name: 'offset', type: 'bigint' })
  offset!: string;

  /** Rows arrive in this order: a BRIN index (migration 1796400000000) finds old ones for a purge. */
  @Column({ name: 'processed_at', type: 'timestamptz', default: () => 'now()' })
  processedAt!: Date;
}
