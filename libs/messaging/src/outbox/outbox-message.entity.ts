import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One event waiting to be published. It is inserted in the same transaction as the business
 * change that caused it, so the change and the event commit or roll back together, and deleted by
 * the relay's transaction that publishes it: the outbox is a queue, Kafka keeps the events.
 * Row shape after Zehelein/pg-transactional-outbox; `shard` keeps one key's events on one relay
 * at a time so per-customer order survives several relay instances.
 */
@Entity({ name: 'outbox' })
@Index('outbox_pending_idx', ['shard', 'id'])
export class OutboxMessageEntity {
  // bigint identity gives a total commit-ish order per shard; TypeORM returns bigint as string.
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  /** Made by the writer (a random UUID unless the caller gives one), and unique by that: no index. */
  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ type: 'text' })
  topic!: string;

  @Column({ name: 'message_key', type: 'text' })
  messageKey!: string;

  @Column({ name: 'event_type', type: 'text' })
  eventType!: string;

  @Column({ type: 'bytea' })
  payload!: Buffer;

  /** Kafka headers to publish with, including the W3C traceparent of the writing transaction. */
  @Column({ type: 'jsonb' })
  headers!: Record<string, string>;

  @Column({ type: 'smallint' })
  shard!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
