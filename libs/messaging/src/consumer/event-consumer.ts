import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ContractError, decodeMessage, dlqTopic, readHeaders, type EventHeaders } from '@duemap/events';
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import type { EventTopic } from '../event-topic';
import { consumerHandleSeconds, consumerMessages, consumerRetries } from '../metrics';
import { classifyError, describeError } from './consumer.errors';

export interface EventContext {
  /** The transaction the inbox row is written in: do the handler's writes through it. */
  em: EntityManager;
  key: string;
  headers: EventHeaders;
  topic: string;
  partition: number;
  offset: string;
}

export type EventHandler<Desc extends DescMessage> = (event: MessageShape<Desc>, ctx: EventContext) => Promise<void>;

export interface Subscription<Desc extends DescMessage = DescMessage> {
  topic: EventTopic<Desc>;
  handle: EventHandler<Desc>;
}

/** Keeps the handler's type tied to its topic's message while storing subscriptions in one list. */
export function subscribe<Desc extends DescMessage>(topic: EventTopic<Desc>, handle: EventHandler<Desc>): Subscription {
  return { topic, handle: handle as EventHandler<DescMessage> } as Subscription;
}

export interface EventConsumerOptions {
  kafka: Kafka;
  dataSource: DataSource;
  groupId: string;
  subscriptions: Subscription[];
  /** Publishes dead letters; a connected producer the caller owns. */
  producer: Producer;
  logger: Logger;
  /** Attempts before a message is dead-lettered (the first try included). */
  maxAttempts?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Partitions worked on in parallel; within a partition, messages are handled in order. */
  partitionsConsumedConcurrently?: number;
  fromBeginning?: boolean;
}

export const DlqHeader = {
  Error: 'dlq-error',
  ErrorClass: 'dlq-error-class',
  OriginalTopic: 'dlq-original-topic',
  OriginalPartition: 'dlq-original-partition',
  OriginalOffset: 'dlq-original-offset',
  ConsumerGroup: 'dlq-consumer-group',
  Attempts: 'dlq-attempts',
  FailedAt: 'dlq-failed-at',
} as const;

const tracer = trace.getTracer('@duemap/messaging');

type Outcome = 'processed' | 'duplicate' | 'dead_lettered';

/**
 * An idempotent Kafka consumer: each message is decoded, then handled in a database transaction
 * that also inserts its inbox row, so a redelivery has no second effect. Failing messages are
 * retried with backoff and then parked on `<topic>.dlq` with the reason, so the partition moves on.
 * Store outages are not the message's fault: those stop the batch without committing, and Kafka
 * redelivers once the consumer restarts.
 */
export class EventConsumer {
  private readonly consumer: Consumer;
  private readonly byTopic: Map<string, Subscription>;
  private readonly maxAttempts: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(private readonly options: EventConsumerOptions) {
    this.byTopic = new Map(options.subscriptions.map((s) => [s.topic.name, s]));
    this.maxAttempts = options.maxAttempts ?? 5;
    this.initialBackoffMs = options.initialBackoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      allowAutoTopicCreation: false,
    });
  }

  get groupId(): string {
    return this.options.groupId;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [...this.byTopic.keys()],
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await this.consumer.run({
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary } = payload;
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      await this.handleMessage(batch.topic, batch.partition, message, heartbeat);
      resolveOffset(message.offset);
      // Long batches must not look like a dead member to the group coordinator.
      await heartbeat();
    }
    await commitOffsetsIfNecessary();
  }

  private async handleMessage(
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const labels = { group: this.options.groupId, topic };
    const parent = propagation.extract(context.active(), headersAsStrings(message.headers));
    await tracer.startActiveSpan(
      `${topic} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.destination.name': topic,
          'messaging.consumer.group.name': this.options.groupId,
          'messaging.destination.partition.id': String(partition),
          'messaging.kafka.offset': Number(message.offset),
        },
      },
      parent,
      async (span) => {
        try {
          const outcome = await this.process(topic, partition, message, heartbeat);
          span.setAttribute('duemap.outcome', outcome);
          consumerMessages.inc({ ...labels, outcome });
        } catch (err) {
          span.recordException(err as Error);
          span.setStatus({ code: SpanStatusCode.ERROR });
          throw err;
        } finally {
          span.end();
        }
      },
    );
  }

  private async process(
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): Promise<Outcome> {
    const subscription = this.byTopic.get(topic);
    let headers: EventHeaders;
    let event: MessageShape<DescMessage>;
    try {
      if (!subscription) throw new ContractError('UNKNOWN_TOPIC', `no handler for topic ${topic}`);
      headers = readHeaders(message.headers ?? {});
      if (!message.value) throw new ContractError('MALFORMED_PAYLOAD', `${topic}: message has no value`);
      event = decodeMessage(topic, subscription.topic.schema, message.value, headers);
    } catch (err) {
      await this.deadLetter(topic, partition, message, err, 1);
      return 'dead_lettered';
    }

    const ctx = { key: message.key?.toString() ?? '', headers, topic, partition, offset: message.offset };
    for (let attempt = 1; ; attempt++) {
      const timer = consumerHandleSeconds.startTimer({ group: this.options.groupId, topic });
      try {
        const applied = await this.applyOnce(subscription, event, ctx);
        timer();
        return applied ? 'processed' : 'duplicate';
      } catch (err) {
        timer();
        const kind = classifyError(err);
        if (kind === 'infrastructure') throw err;
        if (kind === 'fatal' || attempt >= this.maxAttempts) {
          await this.deadLetter(topic, partition, message, err, attempt);
          return 'dead_lettered';
        }
        consumerRetries.inc({ group: this.options.groupId, topic });
        const delay = Math.min(this.initialBackoffMs * 2 ** (attempt - 1), this.maxBackoffMs);
        this.options.logger.warn(
          { err, topic, partition, offset: message.offset, attempt, retryInMs: delay },
          'handler failed, retrying',
        );
        await sleepWithHeartbeat(delay, heartbeat);
      }
    }
  }

  /** Returns false when this group had already applied the event. */
  private async applyOnce(
    subscription: Subscription,
    event: MessageShape<DescMessage>,
    ctx: Omit<EventContext, 'em'>,
  ): Promise<boolean> {
    return this.options.dataSource.transaction(async (em) => {
      const inserted: unknown[] = await em.query(
        `INSERT INTO inbox (consumer_group, event_id, topic, partition, "offset")
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING event_id`,
        [this.options.groupId, ctx.headers.eventId, ctx.topic, ctx.partition, ctx.offset],
      );
      if (inserted.length === 0) return false;
      await subscription.handle(event, { ...ctx, em });
      return true;
    });
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    err: unknown,
    attempts: number,
  ): Promise<void> {
    const reason = describeError(err);
    this.options.logger.error(
      { topic, partition, offset: message.offset, attempts, reason },
      'message dead-lettered',
    );
    await this.options.producer.send({
      topic: dlqTopic(topic),
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            [DlqHeader.Error]: reason.slice(0, 4000),
            [DlqHeader.ErrorClass]: classifyError(err),
            [DlqHeader.OriginalTopic]: topic,
            [DlqHeader.OriginalPartition]: String(partition),
            [DlqHeader.OriginalOffset]: message.offset,
            [DlqHeader.ConsumerGroup]: this.options.groupId,
            [DlqHeader.Attempts]: String(attempts),
            [DlqHeader.FailedAt]: new Date().toISOString(),
          },
        },
      ],
    });
  }
}

function headersAsStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}

async function sleepWithHeartbeat(ms: number, heartbeat: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, deadline - Date.now())));
    await heartbeat();
  }
}
