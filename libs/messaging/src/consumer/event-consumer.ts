import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { ContractError, decodeMessage, dlqTopic, readHeaders, type EventHeaders } from '@duemap/events';
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import type { EventTopic } from '../event-topic';
import { isIngestionTopic, type IngestionHeaders, type JsonIngestionTopic } from '../ingestion-topic';
import {
  consumerHandleSeconds,
  consumerMessages,
  consumerRestarts,
  consumerRetries,
  consumerTransactionMessages,
} from '../metrics';
import type { RenewingProducer } from '../kafka/renewing-producer';
import { bufferOutboxWrites } from '../outbox/outbox.writer';
import type { RecordDecoder } from './consumed-record';
import { classifyError, describeError } from './consumer.errors';
import { TransactionScope } from './transaction-scope';

/** What a handler gets with each record: the transaction, and where the record came from. */
export interface RecordContext<H> {
  /** The transaction the inbox row is written in: do the handler's writes through it. */
  em: EntityManager;
  /** Shared by every event of this transaction: defer per-key work to the end, memoise locks. */
  scope: TransactionScope;
  key: string;
  headers: H;
  topic: string;
  partition: number;
  offset: string;
}

/** The context of a Duemap event: its contract headers, validated. */
export type EventContext = RecordContext<EventHeaders>;

/** The context of a record of a JSON ingestion topic, whose headers are all optional. */
export type IngestionContext = RecordContext<IngestionHeaders>;

export type EventHandler<Desc extends DescMessage> = (
  event: MessageShape<Desc>,
  ctx: EventContext,
) => Promise<void>;

/** Handles one record of a JSON ingestion topic, validated against its schema. */
export type IngestionHandler<T> = (record: T, ctx: IngestionContext) => Promise<void>;

/** One record of a batch, with its context and the trace its effects continue. */
export interface ConsumedItem<E, H> {
  event: E;
  ctx: RecordContext<H>;
  /** The event's `process` span: stamp outbox events it causes with it (`traceContext`). */
  trace: Context;
}

/** One event of a batch, with its context and the trace its effects continue. */
export type BatchItem<Desc extends DescMessage = DescMessage> = ConsumedItem<
  MessageShape<Desc>,
  EventHeaders
>;

/** One record of a JSON ingestion topic in a batch: `event` is the validated record. */
export type IngestionItem<T> = ConsumedItem<T, IngestionHeaders>;

export interface ConsumerTransaction {
  em: EntityManager;
  scope: TransactionScope;
}

/**
 * Every new event of one topic in a consumer transaction, in order within each partition (so in
 * order per key). Lets a use case read, lock and write for all of them in a few set-based
 * statements instead of a few per event: round trips, not the work in them, are what a busy
 * Postgres pays for.
 */
export type BatchHandler<Desc extends DescMessage> = (
  items: BatchItem<Desc>[],
  tx: ConsumerTransaction,
) => Promise<void>;

/** Every new record of a JSON ingestion topic in a consumer transaction (see BatchHandler). */
export type IngestionBatchHandler<T> = (items: IngestionItem<T>[], tx: ConsumerTransaction) => Promise<void>;

/**
 * A topic, how its records are decoded and who handles them. Built by `subscribe` or
 * `subscribeBatch`, which tie the handler's type to the topic's; stored untyped so that one consumer
 * holds subscriptions of every kind (the decoder and the handler come from the same call, so the
 * event a handler gets is always the type it was written for).
 */
export type Subscription = {
  readonly topic: { readonly name: string };
  readonly decode: RecordDecoder<unknown, unknown>;
} & (
  | { readonly handle: AnyHandler; readonly handleBatch?: undefined }
  | { readonly handleBatch: AnyBatchHandler; readonly handle?: undefined }
);

type AnyHandler = (event: unknown, ctx: RecordContext<unknown>) => Promise<void>;
type AnyBatchHandler = (items: ConsumedItem<unknown, unknown>[], tx: ConsumerTransaction) => Promise<void>;
type AnyTopic = EventTopic | JsonIngestionTopic<unknown>;

/** The protobuf path: strict contract headers, then the value against the topic's message. */
function protobufDecoder<Desc extends DescMessage>(
  topic: EventTopic<Desc>,
): RecordDecoder<MessageShape<Desc>, EventHeaders> {
  return (record) => {
    const headers = readHeaders(record.headers ?? {});
    if (!record.value) throw new ContractError('MALFORMED_PAYLOAD', `${record.topic}: message has no value`);
    const event = decodeMessage(record.topic, topic.schema, record.value, headers);
    return { eventId: headers.eventId, headers, event };
  };
}

function decoderOf(topic: AnyTopic): RecordDecoder<unknown, unknown> {
  return isIngestionTopic(topic) ? topic.decode : protobufDecoder(topic);
}

/** Keeps the handler's type tied to its topic's message while storing subscriptions in one list. */
export function subscribe<Desc extends DescMessage>(
  topic: EventTopic<Desc>,
  handle: EventHandler<Desc>,
): Subscription;
export function subscribe<T>(topic: JsonIngestionTopic<T>, handle: IngestionHandler<T>): Subscription;
export function subscribe(
  topic: AnyTopic,
  handle: (event: never, ctx: never) => Promise<void>,
): Subscription {
  return { topic, decode: decoderOf(topic), handle: handle as AnyHandler };
}

/** A subscription whose handler takes all of a transaction's new events of the topic at once. */
export function subscribeBatch<Desc extends DescMessage>(
  topic: EventTopic<Desc>,
  handleBatch: BatchHandler<Desc>,
): Subscription;
export function subscribeBatch<T>(
  topic: JsonIngestionTopic<T>,
  handleBatch: IngestionBatchHandler<T>,
): Subscription;
export function subscribeBatch(
  topic: AnyTopic,
  handleBatch: (items: never[], tx: ConsumerTransaction) => Promise<void>,
): Subscription {
  return { topic, decode: decoderOf(topic), handleBatch: handleBatch as AnyBatchHandler };
}

export interface EventConsumerOptions {
  kafka: Kafka;
  dataSource: DataSource;
  groupId: string;
  subscriptions: Subscription[];
  /**
   * Publishes dead letters; a connected producer the caller owns, not the relay's: a relay stuck
   * on an unreachable partition must not hold dead letters back, nor they the relay. A
   * RenewingProducer, as a kafkajs producer must not send again after a failed send (ADR 0011).
   */
  producer: Pick<RenewingProducer, 'send'>;
  logger: Logger;
  /** Attempts before a message is dead-lettered (the first try included). */
  maxAttempts?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Partitions worked on in parallel; within a partition, messages are handled in order. */
  partitionsConsumedConcurrently?: number;
  /** Messages of one partition submitted at a time (and applied together on the fallback path). */
  transactionChunkSize?: number;
  /**
   * Most messages applied in one transaction. Chunks that arrive from several partitions while a
   * transaction runs are applied together in the next one (a group commit): under load one commit
   * serves hundreds of events, when idle an event waits for nobody.
   */
  maxGroupMessages?: number;
  /** Kafka fetch: the broker answers once it has this many bytes or maxWaitTimeInMs passed. */
  minBytes?: number;
  maxWaitTimeInMs?: number;
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
  /** The inbox key. */
  eventId: string;
  headers: unknown;
  event: unknown;
}
type Decoded = DecodedOk | { ok: false; message: KafkaMessage; error: unknown };

/** One partition's chunk, waiting for (or in) a group transaction. */
interface Chunk {
  topic: string;
  partition: number;
  decoded: Decoded[];
  heartbeat: () => Promise<void>;
  done: (err?: Error) => void;
}

interface Located extends DecodedOk {
  topic: string;
  partition: number;
}

/**
 * An idempotent Kafka consumer: each message is decoded, then handled in a database transaction
 * that also inserts its inbox row, so a redelivery has no second effect. The chunks of all
 * partitions that arrive while a transaction runs are applied together in the next one (a group
 * commit), in partition order. Failing messages are retried with backoff and then parked on
 * `<topic>.dlq` with the reason, so the partition moves on. Store outages are not the message's
 * fault: those stop the batch without committing, and Kafka redelivers once the consumer restarts.
 */
export class EventConsumer {
  private consumer: Consumer;
  private stopped = false;
  private restartTimer?: NodeJS.Timeout;
  private readonly byTopic: Map<string, Subscription>;
  private readonly maxAttempts: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly chunkSize: number;
  private readonly maxGroupMessages: number;
  private readonly queue: Chunk[] = [];
  private draining = false;

  constructor(private readonly options: EventConsumerOptions) {
    this.byTopic = new Map(options.subscriptions.map((s) => [s.topic.name, s]));
    this.maxAttempts = options.maxAttempts ?? 5;
    this.initialBackoffMs = options.initialBackoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.chunkSize = options.transactionChunkSize ?? 100;
    this.maxGroupMessages = options.maxGroupMessages ?? 500;
    this.consumer = this.createConsumer();
  }

  private createConsumer(): Consumer {
    const { options } = this;
    const consumer = options.kafka.consumer({
      groupId: options.groupId,
      // A member that vanished without leaving (its broker restarted under it, its process was
      // killed) holds up the group's next rebalance until its session times out: 10 s, Kafka's
      // long-standing default, not 30 s, so a restarted broker serves every group again within
      // the 30 s a service has to recover (docs/reliability.md). eachBatch heartbeats after every
      // chunk and while it backs off, so a live member is never that quiet.
      sessionTimeout: 10_000,
      heartbeatInterval: 3_000,
      allowAutoTopicCreation: false,
      minBytes: options.minBytes ?? 1,
      maxWaitTimeInMs: options.maxWaitTimeInMs ?? 5_000,
    });
    // kafkajs restarts a crashed consumer only after errors it deems retriable. After one it does
    // not (the group coordinator not found for ~6 s while a loaded broker starts, say) the member
    // stays out of the group for good, and the service consumes nothing while its process runs on.
    // Such a consumer is replaced by a new one.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.stopped || consumer !== this.consumer) return;
      consumerRestarts.inc({ group: options.groupId });
      options.logger.error(
        { err: payload.error, group: options.groupId },
        'consumer crashed on an error kafkajs does not restart after; starting a new consumer',
      );
      this.scheduleRestart(this.initialBackoffMs);
    });
    return consumer;
  }

  private scheduleRestart(delayMs: number): void {
    this.restartTimer = setTimeout(() => void this.restart(delayMs), delayMs);
  }

  private async restart(delayMs: number): Promise<void> {
    if (this.stopped) return;
    await this.consumer.disconnect().catch(() => undefined);
    this.consumer = this.createConsumer();
    try {
      await this.start();
    } catch (err) {
      const next = Math.min(delayMs * 2, this.maxBackoffMs);
      this.options.logger.warn({ err, retryInMs: next }, 'consumer restart failed, trying again');
      if (!this.stopped) this.scheduleRestart(next);
      return;
    }
    // stop() ran while this one was starting: it disconnected the consumer before it existed.
    if (this.stopped) await this.consumer.disconnect();
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
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 6,
      eachBatchAutoResolve: false,
      // Offsets are committed at most once a second, not after every batch (each commit is a write
      // to __consumer_offsets). After a crash up to a second of messages comes again: the inbox
      // makes that harmless.
      autoCommitInterval: 1000,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.consumer.disconnect();
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const heartbeat = (): Promise<void> => payload.heartbeat();
    for (let i = 0; i < batch.messages.length; i += this.chunkSize) {
      if (!payload.isRunning() || payload.isStale()) break;
      const messages = batch.messages.slice(i, i + this.chunkSize);
      await this.submit({
        topic: batch.topic,
        partition: batch.partition,
        decoded: messages.map((message) => this.decode(batch.topic, batch.partition, message)),
        heartbeat,
      });
      payload.resolveOffset((messages[messages.length - 1] as KafkaMessage).offset);
      // Long batches must not look like a dead member to the group coordinator.
      await heartbeat();
    }
    await payload.commitOffsetsIfNecessary();
  }

  /** Queues a chunk for the next group transaction; settles once it has been applied. */
  private submit(chunk: Omit<Chunk, 'done'>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({
        ...chunk,
        done: (err) =>
          err === undefined ? resolve() : reject(err instanceof Error ? err : new Error(String(err))),
      });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const group: Chunk[] = [];
        let size = 0;
        while (this.queue.length > 0) {
          const next = this.queue[0] as Chunk;
          if (group.length > 0 && size + next.decoded.length > this.maxGroupMessages) break;
          group.push(next);
          size += next.decoded.length;
          this.queue.shift();
        }
        try {
          await this.applyGroup(group);
          for (const chunk of group) chunk.done();
        } catch (err) {
          const error = err instanceof Error ? err : new Error(describeError(err));
          for (const chunk of group) chunk.done(error);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /**
   * Fast path: every decodable chunk of the group in one transaction. If anything in it fails,
   * the transaction rolls back and each chunk is replayed on its own, then one message at a time,
   * where retries and the DLQ apply per message.
   */
  private async applyGroup(group: Chunk[]): Promise<void> {
    const clean = group.filter((c) => c.decoded.every((d) => d.ok));
    let replay = group.filter((c) => !clean.includes(c));
    const messages = clean.flatMap((c) =>
      c.decoded.map((d) => ({ ...(d as DecodedOk), topic: c.topic, partition: c.partition })),
    );
    if (messages.length > 1) {
      try {
        await this.applyTogether(messages);
      } catch (err) {
        if (classifyError(err) === 'infrastructure') throw err;
        replay = group;
      }
    } else {
      replay = group;
    }
    for (const chunk of replay) await this.replayChunk(chunk);
  }

  /** One chunk in one transaction; failing that, message by message. */
  private async replayChunk(chunk: Chunk): Promise<void> {
    const { topic, partition } = chunk;
    if (chunk.decoded.length > 1 && chunk.decoded.every((d) => d.ok)) {
      try {
        await this.applyTogether(chunk.decoded.map((d) => ({ ...d, topic, partition })));
        return;
      } catch (err) {
        if (classifyError(err) === 'infrastructure') throw err;
      }
    }
    for (const decoded of chunk.decoded) {
      const outcome = await this.processOne(topic, partition, decoded, chunk.heartbeat);
      consumerMessages.inc({ group: this.options.groupId, topic, outcome });
    }
  }

  /** Applies the messages in one transaction (in the given order) and counts their outcomes. */
  private async applyTogether(messages: Located[]): Promise<void> {
    const { outcomes, scope } = await this.options.dataSource.transaction((em) => this.applyIn(em, messages));
    this.committed(scope);
    consumerTransactionMessages.observe({ group: this.options.groupId }, messages.length);
    messages.forEach((m, i) =>
      consumerMessages.inc({ group: this.options.groupId, topic: m.topic, outcome: outcomes[i] }),
    );
  }

  /** The message's `process` span, a child of the relay's publish span (from its headers). */
  private startProcessSpan(topic: string, partition: number, message: KafkaMessage): Span {
    const parent = propagation.extract(context.active(), headersAsStrings(message.headers));
    return tracer.startSpan(
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
    );
  }

  private async inSpan(
    topic: string,
    partition: number,
    message: KafkaMessage,
    work: () => Promise<Outcome>,
  ): Promise<Outcome> {
    const span = this.startProcessSpan(topic, partition, message);
    return context.with(trace.setSpan(context.active(), span), async () => {
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
    });
  }

  private decode(topic: string, partition: number, message: KafkaMessage): Decoded {
    try {
      const subscription = this.byTopic.get(topic);
      if (!subscription) throw new ContractError('UNKNOWN_TOPIC', `no handler for topic ${topic}`);
      const { eventId, headers, event } = subscription.decode({
        topic,
        partition,
        offset: message.offset,
        key: message.key,
        value: message.value,
        headers: message.headers,
      });
      return { ok: true, message, subscription, eventId, headers, event };
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
      return this.inSpan(topic, partition, message, async () => {
        await this.deadLetter(topic, partition, message, decoded.error, 1);
        return 'dead_lettered';
      });
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const { outcomes, scope } = await this.options.dataSource.transaction((em) =>
          this.applyIn(em, [{ ...decoded, topic, partition }]),
        );
        this.committed(scope);
        consumerTransactionMessages.observe({ group: this.options.groupId }, 1);
        return outcomes[0] as Outcome;
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

  /**
   * Inserts the messages' inbox rows (one statement), runs the handlers of those not seen before,
   * each in its span, then the work they deferred, then writes the outbox events they appended
   * (one statement). Per-event handlers run in message order; a batch handler gets all new events
   * of its topic together. Topics are applied one after another (order holds within a partition,
   * and so per key; Kafka orders nothing across topics). Returns each message's outcome.
   */
  private async applyIn(
    em: EntityManager,
    messages: Located[],
  ): Promise<{ outcomes: Outcome[]; scope: TransactionScope }> {
    const fresh = await this.claimInbox(em, messages);
    const outbox = bufferOutboxWrites(em);
    const scope = new TransactionScope();
    try {
      const outcomes = await this.applyFresh(em, scope, messages, fresh);
      await outbox.flush();
      return { outcomes, scope };
    } finally {
      outbox.discard();
    }
  }

  /** Runs what the handlers asked to run once their transaction committed (counters, mostly). */
  private committed(scope: TransactionScope): void {
    for (const work of scope.takeAfterCommit()) {
      try {
        work();
      } catch (err) {
        this.options.logger.warn({ err }, 'after-commit work of a consumer transaction failed');
      }
    }
  }

  private async applyFresh(
    em: EntityManager,
    scope: TransactionScope,
    messages: Located[],
    fresh: Set<string>,
  ): Promise<Outcome[]> {
    const outcomes: Outcome[] = messages.map((m) => (fresh.delete(m.eventId) ? 'processed' : 'duplicate'));
    const byTopic = new Map<string, Located[]>();
    messages.forEach((m, i) => {
      if (outcomes[i] !== 'processed') return;
      const run = byTopic.get(m.topic);
      if (run) run.push(m);
      else byTopic.set(m.topic, [m]);
    });
    for (const run of byTopic.values()) {
      const subscription = (run[0] as Located).subscription;
      if (subscription.handleBatch) {
        await this.handleBatch(em, scope, subscription.handleBatch, run);
        continue;
      }
      for (const m of run) {
        const timer = consumerHandleSeconds.startTimer({ group: this.options.groupId, topic: m.topic });
        try {
          await this.inSpan(m.topic, m.partition, m.message, async () => {
            await subscription.handle(m.event, this.contextOf(em, scope, m));
            return 'processed';
          });
        } finally {
          timer();
        }
      }
    }
    await scope.flush();
    return outcomes;
  }

  private contextOf(em: EntityManager, scope: TransactionScope, m: Located): RecordContext<unknown> {
    return {
      em,
      scope,
      key: m.message.key?.toString() ?? '',
      headers: m.headers,
      topic: m.topic,
      partition: m.partition,
      offset: m.message.offset,
    };
  }

  /** One call for the run; each message still gets its own `process` span, parent of its effects. */
  private async handleBatch(
    em: EntityManager,
    scope: TransactionScope,
    handleBatch: AnyBatchHandler,
    run: Located[],
  ): Promise<void> {
    const spans: Span[] = [];
    const items: ConsumedItem<unknown, unknown>[] = run.map((m) => {
      const span = this.startProcessSpan(m.topic, m.partition, m.message);
      spans.push(span);
      return {
        event: m.event,
        ctx: this.contextOf(em, scope, m),
        trace: trace.setSpan(context.active(), span),
      };
    });
    const timer = consumerHandleSeconds.startTimer({
      group: this.options.groupId,
      topic: (run[0] as Located).topic,
    });
    try {
      // Statements of the batch nest under the first event's span.
      await context.with((items[0] as ConsumedItem<unknown, unknown>).trace, () =>
        handleBatch(items, { em, scope }),
      );
      for (const span of spans) span.setAttribute('duemap.outcome', 'processed');
    } catch (err) {
      for (const span of spans) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      throw err;
    } finally {
      timer();
      for (const span of spans) span.end();
    }
  }

  /** Inserts inbox rows; returns the event ids that were new (a known one has no second effect). */
  private async claimInbox(em: EntityManager, messages: Located[]): Promise<Set<string>> {
    const inserted: { event_id: string }[] = await em.query(
      `INSERT INTO inbox (consumer_group, event_id, topic, partition, "offset")
       SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::int[], $5::bigint[])
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [
        this.options.groupId,
        messages.map((m) => m.eventId),
        messages.map((m) => m.topic),
        messages.map((m) => m.partition),
        messages.map((m) => m.message.offset),
      ],
    );
    return new Set(inserted.map((r) => r.event_id));
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
