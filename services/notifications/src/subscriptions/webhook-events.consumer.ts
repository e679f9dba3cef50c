import { toJson } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { InjectConfig } from '@duemap/config';
import {
  decodeRecord,
  isTopicName,
  TOPICS,
  Topic,
  type AnyDecodedRecord,
  type TopicName,
} from '@duemap/events';
import { MessagingRuntime } from '@duemap/messaging';
import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { SERVICE_LOGGER } from '../common/logger';
import type { NotificationsConfig } from '../config';
import { WebhookDispatcher } from './webhook-dispatcher';

/** The body every subscriber receives: the event's envelope and its protobuf message as JSON. */
export interface WebhookBody {
  /** The event id (also the Duemap-Webhook-Id header). */
  readonly id: string;
  /** The topic, e.g. payments.payment-received.v1. */
  readonly type: string;
  readonly occurredAt: string;
  readonly customerId: string;
  /** The event in protobuf's canonical JSON (camelCase names, 64-bit integers as strings). */
  readonly data: unknown;
}

/** What one consumed event becomes: a body for every matching subscription. */
export function webhookBodyOf(record: AnyDecodedRecord): WebhookBody {
  const at = record.event.occurredAt;
  return {
    id: record.headers.eventId,
    type: record.topic,
    occurredAt: (at ? timestampDate(at) : new Date()).toISOString(),
    customerId: record.event.customerId,
    data: toJson(TOPICS[record.topic], record.event as never),
  };
}

/**
 * Feeds the webhook subscriptions: a consumer group of its own (`<service>-webhooks`), apart from
 * the reminders' group so neither holds the other up, reads every public topic and queues each
 * event for every subscription whose event types and customers it matches, in one statement per
 * batch. No inbox: UNIQUE (subscription_id, event_id) makes a redelivered event a no-op, and an
 * event no subscription wants costs no write. The offsets are committed after the statement, so
 * a crash redelivers rather than loses (at least once). An undecodable record is logged and
 * skipped: the owners' consumer groups dead-letter it.
 */
@Injectable()
export class WebhookEventsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private consumer?: Consumer;

  constructor(
    private readonly runtime: MessagingRuntime,
    @Inject(getDataSourceToken()) private readonly dataSource: DataSource,
    private readonly dispatcher: WebhookDispatcher,
    @InjectConfig() private readonly config: NotificationsConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const consumer = this.runtime.kafka.consumer({
      groupId: `${this.config.SERVICE_NAME}-webhooks`,
      sessionTimeout: 10_000,
      heartbeatInterval: 3_000,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: Object.values(Topic), fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: 4,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.disconnect();
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { topic } = batch;
    if (!isTopicName(topic) || batch.messages.length === 0) return;
    const bodies: WebhookBody[] = [];
    for (const message of batch.messages) {
      try {
        bodies.push(
          webhookBodyOf(
            decodeRecord({
              topic: batch.topic,
              key: message.key,
              value: message.value,
              headers: message.headers,
            }),
          ),
        );
      } catch (err) {
        this.logger.warn(
          { err, topic, offset: message.offset },
          'webhook feed skipped an undecodable record',
        );
      }
    }
    const queued = await this.queue(topic, bodies);
    payload.resolveOffset(batch.messages[batch.messages.length - 1]?.offset ?? batch.firstOffset() ?? '0');
    await payload.heartbeat();
    if (queued > 0) this.dispatcher.wake();
  }

  /** Queues the events for the matching subscriptions; returns how many deliveries were queued. */
  async queue(topic: TopicName, bodies: readonly WebhookBody[]): Promise<number> {
    if (bodies.length === 0) return 0;
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, customer_id, payload, status, occurred_at)
       SELECT gen_random_uuid(), s.id, e.event_id, $1, e.customer_id, e.payload, 'pending', e.occurred_at
         FROM unnest($2::uuid[], $3::text[], $4::jsonb[], $5::timestamptz[]) AS e(event_id, customer_id, payload, occurred_at)
         JOIN webhook_subscriptions s
           ON s.event_types @> ARRAY[$1::text]
          AND (cardinality(s.customer_ids) = 0 OR lower(e.customer_id) = ANY (s.customer_ids))
       ON CONFLICT (subscription_id, event_id) DO NOTHING
       RETURNING id`,
      [
        topic,
        bodies.map((b) => b.id),
        bodies.map((b) => b.customerId),
        bodies.map((b) => JSON.stringify(b)),
        bodies.map((b) => b.occurredAt),
      ],
    );
    return inserted.length;
  }
}
