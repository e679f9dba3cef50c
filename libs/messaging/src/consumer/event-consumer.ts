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

export type EventHandler<Desc extends DescMessage> = (
  event: MessageShape<Desc>,
  ctx: EventContext,
) => Promise<void>;

export interface Subscription<Desc extends DescMessage = DescMessage> {
  topic: EventTopic<Desc>;
  handle: EventHandler<Desc>;
}

/** Keeps the handler's type tied to its topic's message while storing subscriptions in one list. */
export function subscribe<Desc extends DescMessage>(
  topic: EventTopic<Desc>,
  handle: EventHandler<Desc>,
): Subscription {
  return { topic, handle };
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
  /** Messages of one partition applied per transaction on the fast path (1 = one each). */
  transactionChunkSize?: number;
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

interface DecodedOk {
  ok: true;
  message: KafkaMessage;
  subscription: Subscription;
  headers: EventHeaders;
  event: MessageShape<DescMessage>;
}
type Decoded = DecodedOk | { ok: false; message: KafkaMessage; error: unknown };

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
  private readonly chunkSize: number;

  constructor(private readonly options: EventConsumerOptions) {
    this.byTopic = new Map(options.subscriptions.map((s) => [s.topic.name, s]));
    this.maxAttempts = options.maxAttempts ?? 5;
    this.initialBackoffMs = options.initialBackoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.chunkSize = options.transactionChunkSize ?? 50;
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
    const { batch } = payload;
    const heartbeat = (): Promise<void> => payload.heartbeat();
    for (let i = 0; i < batch.messages.length; i += this.chunkSize) {
      if (!payload.isRunning() || payload.isStale()) break;
      const chunk = batch.messages.slice(i, i + this.chunkSize);
      await this.handleChunk(batch.topic, batch.partition, chunk, heartbeat);
      payload.resolveOffset((chunk[chunk.length - 1] as KafkaMessage).offset);
      // Long batches must not look like a dead member to the group coordinator.
      await heartbeat();
    }
    await payload.commitOffsetsIfNecessary();
  }

  /**
   * Fast path: a chunk of one partition's messages applied in one transaction, in order (one
   * commit instead of one per message). If anything in it fails, the transaction rolls back and
   * the chunk is replayed one message at a time, where retries and the DLQ apply per message.
   */
  private async handleChunk(
    topic: string,
    partition: number,
    chunk: KafkaMessage[],
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const decoded = chunk.map((message) => this.decode(topic, message));
    if (chunk.length > 1 && decoded.every((d) => d.ok)) {
      const outcomes: Outcome[] = [];
      try {
        await this.options.dataSource.transaction(async (em) => {
          for (const d of decoded) {
            outcomes.push(
              await this.inSpan(topic, partition, d.message, () => this.applyIn(em, topic, partition, d)),
            );
          }
        });
        for (const outcome of outcomes) consumerMessages.inc({ group: this.options.groupId, topic, outcome });
        return;
      } catch (err) {
        if (classifyError(err) === 'infrastructure') throw err;
        // Fall through: find the failing message one by one.
      }
    }
    for (const [i, message] of chunk.entries()) {
      const outcome = await this.inSpan(topic, partition, message, () =>
        this.processOne(topic, partition, decoded[i] as Decoded, heartbeat),
      );
      consumerMessages.inc({ group: this.options.groupId, topic, outcome });
    }
  }

  private async inSpan(
    topic: string,
    partition: number,
    message: KafkaMessage,
    work: () => Promise<Outcome>,
  ): Promise<Outcome> {
    const parent = propagation.extract(context.active(), headersAsStrings(message.headers));
    return tracer.startActiveSpan(
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
          const outcome = await work();
          span.setAttribute('duemap.outcome', outcome);
          return outcome;
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

  private decode(topic: string, message: KafkaMessage): Decoded {
    try {
      const subscription = this.byTopic.get(topic);
      if (!subscription) throw new ContractError('UNKNOWN_TOPIC', `no handler for topic ${topic}`);
      const headers = readHeaders(message.headers ?? {});
      if (!message.value) throw new ContractError('MALFORMED_PAYLOAD', `${topic}: message has no value`);
      const event = decodeMessage(topic, subscription.topic.schema, message.value, headers);
      return { ok: true, message, subscription, headers, event };
    } catch (error) {
      return { ok: false, message, error };
    }
  }

  /** The slow path: one message, its own transaction, retries with backoff, then the DLQ. */
  private async processOne(
    topic: string,
    partition: number,
    decoded: Decoded,
    heartbeat: () => Promise<void>,
  ): Promise<Outcome> {
    const { message } = decoded;
    if (!decoded.ok) {
      await this.deadLetter(topic, partition, message, decoded.error, 1);
      return 'dead_lettered';
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.options.dataSource.transaction((em) => this.applyIn(em, topic, partition, decoded));
      } catch (err) {
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

  /** Inserts the inbox row and runs the handler in `em`'s transaction; a known event is skipped. */
  private async applyIn(em: EntityManager, topic: string, partition: number, d: DecodedOk): Promise<Outcome> {
    const timer = consumerHandleSeconds.startTimer({ group: this.options.groupId, topic });
    try {
      const inserted: unknown[] = await em.query(
        `INSERT INTO inbox (consumer_group, event_id, topic, partition, "offset")
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING event_id`,
        [this.options.groupId, d.headers.eventId, topic, partition, d.message.offset],
      );
      if (inserted.length === 0) return 'duplicate';
      await d.subscription.handle(d.event, {
        em,
        key: d.message.key?.toString() ?? '',
        headers: d.headers,
        topic,
        partition,
        offset: d.message.offset,
      });
      return 'processed';
    } finally {
      timer();
    }
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
