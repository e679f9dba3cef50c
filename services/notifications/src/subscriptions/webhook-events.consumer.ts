import { toJson } from '@bufbuild/protobuf';
import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { InjectConfig } from '@duemap/config';
import { Topic, type TopicName } from '@duemap/events';
import {
  createProducer,
  EventConsumer,
  eventTopic,
  MessagingRuntime,
  RenewingProducer,
  subscribeBatch,
  type BatchItem,
  type Subscription,
} from '@duemap/messaging';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { AfterCommit } from '../common/after-commit';
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

/**
 * Feeds the webhook subscriptions: a consumer group of its own (`<service>-webhooks`), apart from
 * the reminders' group so neither holds the other up, reads every public topic and queues each
 * event for every subscription whose event types and customers it matches — one statement per
 * topic and transaction, in the inbox transaction, so an event is queued once per subscription
 * whatever Kafka redelivers. The dispatcher is woken after commit.
 */
@Injectable()
export class WebhookEventsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private consumer?: EventConsumer;
  private deadLetters?: RenewingProducer;

  constructor(
    private readonly runtime: MessagingRuntime,
    @Inject(getDataSourceToken()) private readonly dataSource: DataSource,
    private readonly afterCommit: AfterCommit,
    private readonly dispatcher: WebhookDispatcher,
    @InjectConfig() private readonly config: NotificationsConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  subscriptions(): Subscription[] {
    return Object.values(Topic).map((topic) =>
      subscribeBatch(eventTopic(topic), async (items, tx) => {
        await this.queue(topic, items, tx.em);
      }),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    const logger = this.logger.child({ component: 'webhook-consumer' });
    this.deadLetters = new RenewingProducer({
      create: () => createProducer(this.runtime.kafka),
      name: 'webhook-dead-letter',
      logger,
    });
    await this.deadLetters.connect();
    this.consumer = new EventConsumer({
      kafka: this.runtime.kafka,
      dataSource: this.dataSource,
      groupId: `${this.config.SERVICE_NAME}-webhooks`,
      subscriptions: this.subscriptions(),
      producer: this.deadLetters,
      logger,
    });
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
    await this.deadLetters?.disconnect();
  }

  /** Queues the events for the matching subscriptions; returns how many deliveries were queued. */
  async queue(topic: TopicName, items: readonly BatchItem[], em: EntityManager): Promise<number> {
    const schema = eventTopic(topic).schema;
    const rows = items.map(({ event, ctx }) => {
      const at = (event as { occurredAt?: Timestamp }).occurredAt;
      const occurredAt = at ? timestampDate(at) : new Date();
      const body: WebhookBody = {
        id: ctx.headers.eventId,
        type: topic,
        occurredAt: occurredAt.toISOString(),
        customerId: ctx.key,
        data: toJson(schema, event as never),
      };
      return { eventId: ctx.headers.eventId, customerId: ctx.key, body, occurredAt };
    });
    const inserted: unknown[] = await em.query(
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
        rows.map((r) => r.eventId),
        rows.map((r) => r.customerId),
        rows.map((r) => JSON.stringify(r.body)),
        rows.map((r) => r.occurredAt.toISOString()),
      ],
    );
    const queued = inserted.length;
    if (queued > 0) this.afterCommit.run(em, () => Promise.resolve(this.dispatcher.wake()));
    return queued;
  }
}
