import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { EventConsumer, type EventConsumerOptions, type Subscription } from './consumer/event-consumer';
import { inboxMayBePurged, readRedeliveryWindows } from './inbox/inbox-retention';
import { InboxPurger, type InboxPurgerOptions } from './inbox/inbox.purger';
import type { KafkaSecurity } from './kafka/kafka-security';
import { createKafka, createProducer, topicExists } from './kafka/kafka.factory';
import { RenewingProducer } from './kafka/renewing-producer';
import type { Consumption } from './monitor/pipe-monitor';
import { OutboxRelay, type OutboxRelayOptions } from './outbox/outbox.relay';
import { OutboxWriter } from './outbox/outbox.writer';

type ConsumerTuning = Pick<
  EventConsumerOptions,
  | 'maxAttempts'
  | 'initialBackoffMs'
  | 'maxBackoffMs'
  | 'partitionsConsumedConcurrently'
  | 'transactionChunkSize'
  | 'maxGroupMessages'
  | 'minBytes'
  | 'maxWaitTimeInMs'
  | 'fromBeginning'
>;
type RelayTuning = Pick<
  OutboxRelayOptions,
  'batchSize' | 'maxBatchBytes' | 'shardsPerClaim' | 'idlePollMs' | 'lingerMs' | 'maxBackoffMs'
>;

export interface MessagingRuntimeOptions {
  /** Producer name in headers, Kafka client id, and the default consumer group. */
  serviceName: string;
  brokers: string[];
  /** SASL and TLS of every Kafka client of the process (kafkaSecurityFromConfig). */
  security?: KafkaSecurity;
  dataSource: DataSource;
  logger: Logger;
  /** Postgres URL for the relay's LISTEN connection (lower latency than polling alone). */
  databaseUrl?: string;
  /** Run an outbox relay in this process (default true). */
  relay?: boolean | RelayTuning;
  subscriptions?: Subscription[];
  consumerGroup?: string;
  consumer?: ConsumerTuning;
  /**
   * With a consumer group: purge its database's inbox of rows older than `retentionMs`, every
   * `intervalMs` (default: 9 days, every 10 minutes). `false`: never. `start` refuses a retention
   * that a subscribed topic's configuration could outlive (inbox-retention.ts).
   */
  inboxPurge?: false | Partial<Pick<InboxPurgerOptions, 'retentionMs' | 'intervalMs' | 'batchSize'>>;
}

/**
 * Longer than Duemap's topics can redeliver an event: 7-day retention in 1-day segments (TOPIC_CONFIG
 * in deploy/local/topics.ts) keep a message at most 8 days.
 */
export const DEFAULT_INBOX_RETENTION_MS = 9 * 24 * 3600_000;
const DEFAULT_INBOX_PURGE_INTERVAL_MS = 10 * 60_000;

/**
 * Everything one service needs to take part in the event flow: the outbox writer its use cases
 * call, the relay that publishes what they wrote, and its idempotent consumer group. Plain
 * classes, so tests and benchmarks use them without Nest; MessagingModule wraps this.
 */
export class MessagingRuntime {
  readonly kafka: Kafka;
  readonly outbox: OutboxWriter;
  // Two producers: one stuck (a partition without a leader, an outage) must not hold up the other.
  private readonly relayProducer: RenewingProducer;
  private readonly deadLetterProducer: RenewingProducer;
  private relay?: OutboxRelay;
  private consumer?: EventConsumer;
  private purger?: InboxPurger;
  private subscribedTopics: string[] = [];

  constructor(private readonly options: MessagingRuntimeOptions) {
    this.kafka = createKafka({
      clientId: options.serviceName,
      brokers: options.brokers,
      logger: options.logger,
      security: options.security,
    });
    const producer = (name: string): RenewingProducer =>
      new RenewingProducer({
        create: () => createProducer(this.kafka),
        name,
        logger: options.logger.child({ component: `${name}-producer` }),
      });
    this.relayProducer = producer('relay');
    this.deadLetterProducer = producer('dead-letter');
    this.outbox = new OutboxWriter(options.serviceName);
  }

  /** Starts the relay and, with subscriptions (given here or in the options), the consumer group. */
  async start(extraSubscriptions: Subscription[] = []): Promise<void> {
    const { options } = this;
    const subscriptions = [...(options.subscriptions ?? []), ...extraSubscriptions];
    // Before anything starts: refuse a purge that could let an applied event be applied again.
    const purge = subscriptions.length > 0 ? await this.inboxPurge(subscriptions) : undefined;
    if (options.relay !== false) {
      await this.relayProducer.connect();
      this.relay = new OutboxRelay({
        dataSource: options.dataSource,
        producer: this.relayProducer,
        topicExists: (topic) => topicExists(this.kafka, topic),
        logger: options.logger.child({ component: 'outbox-relay' }),
        notifyUrl: options.databaseUrl,
        ...(typeof options.relay === 'object' ? options.relay : {}),
      });
      await this.relay.start();
    }
    if (subscriptions.length > 0) {
      await this.deadLetterProducer.connect();
      this.subscribedTopics = [...new Set(subscriptions.map((s) => s.topic.name))];
      this.consumer = new EventConsumer({
        kafka: this.kafka,
        dataSource: options.dataSource,
        groupId: options.consumerGroup ?? options.serviceName,
        subscriptions,
        producer: this.deadLetterProducer,
        logger: options.logger.child({ component: 'consumer' }),
        ...options.consumer,
      });
      await this.consumer.start();
      if (purge) {
        this.purger = new InboxPurger(purge);
        this.purger.start();
      }
    }
  }

  /** The consumer group this process runs and the topics it reads; undefined without one. */
  consumption(): Consumption | undefined {
    return this.consumer ? { groupId: this.consumer.groupId, topics: this.subscribedTopics } : undefined;
  }

  /** The purge the options ask for, if the subscribed topics cannot redeliver what it deletes. */
  private async inboxPurge(subscriptions: Subscription[]): Promise<InboxPurgerOptions | undefined> {
    const { options } = this;
    if (options.inboxPurge === false) return undefined;
    const purge: InboxPurgerOptions = {
      dataSource: options.dataSource,
      logger: options.logger.child({ component: 'inbox-purger' }),
      retentionMs: DEFAULT_INBOX_RETENTION_MS,
      intervalMs: DEFAULT_INBOX_PURGE_INTERVAL_MS,
      ...options.inboxPurge,
    };
    const topics = [...new Set(subscriptions.map((s) => s.topic.name))];
    const windows = await readRedeliveryWindows(this.kafka, topics);
    return inboxMayBePurged(purge.retentionMs, windows, purge.logger) ? purge : undefined;
  }

  async stop(): Promise<void> {
    await this.purger?.stop();
    await this.consumer?.stop();
    await this.relay?.stop();
    await this.relayProducer.disconnect();
    await this.deadLetterProducer.disconnect();
  }
}
