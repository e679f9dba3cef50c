import {
  compatibilityPartitioner,
  ProduceAcks,
  Producer as PlatformaticKafkaProducer,
  type MessageToProduce,
  type Partitioner,
  type ProduceResult,
} from '@platformatic/kafka';
import type { IHeaders, ProducerBatch, ProducerRecord, RecordMetadata } from 'kafkajs';
import type { Logger } from 'pino';

export interface PlatformaticProducerOptions {
  clientId: string;
  /** host:port list, as in KAFKA_BROKERS. */
  brokers: string[];
  logger: Logger;
  /** How long one produce request may wait for its answer (default 30 s, as kafkajs's requestTimeout). */
  requestTimeoutMs?: number;
}

/**
 * The outbox relay's producer on @platformatic/kafka instead of kafkajs (ADR 0013), in the shape the
 * relay and dead-lettering take (`connect`, `disconnect`, `send`, `sendBatch` of kafkajs messages,
 * acks=-1), with the settings of `createProducer`: idempotent, one request in flight per connection,
 * a send that fails fast (the relay retries it forever), and partitions chosen as kafkajs's and
 * Java's DefaultPartitioner choose them.
 *
 * A failed send may still have been written (a produce answer lost, a broker paused past the request
 * timeout), and the client keeps the partition's sequence number where it was, as kafkajs does: the
 * next batch would reuse it, and the broker would take it for the lost one (acknowledged, not
 * written) or refuse it for good (OUT_OF_ORDER_SEQUENCE_NUMBER); ADR 0011. So, as RenewingProducer
 * does for kafkajs, the send after a failure first takes a new producer id, whose sequences start
 * afresh; the client keeps its connections and metadata. Sends run one at a time, so none is in
 * flight under the old producer id when the new one is taken.
 */
export class PlatformaticProducer {
  private client?: PlatformaticKafkaProducer;
  private needsNewProducerId = false;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: PlatformaticProducerOptions) {}

  async connect(): Promise<void> {
    if (this.client) return;
    const client = new PlatformaticKafkaProducer({
      clientId: this.options.clientId,
      bootstrapBrokers: this.options.brokers,
      idempotent: true,
      acks: ProduceAcks.ALL,
      autocreateTopics: false,
      connectTimeout: 3000,
      requestTimeout: this.options.requestTimeoutMs ?? 30_000,
      // What the broker may take to replicate before it answers: kafkajs's default.
      timeout: 30_000,
      // As createProducer: fail a send after 3 retries (100 ms doubling to 1 s), since an idempotent
      // client retrying for ever holds the relay's claim transaction open for as long.
      retries: 3,
      retryDelay: (_client, _operation, attempt) => Math.min(100 * 2 ** (attempt - 1), 1000),
      partitioner: createDefaultPartitioner(),
    });
    try {
      // Connects to a bootstrap broker and takes a producer id, so a broker that is away fails here.
      await client.initIdempotentProducer({});
    } catch (err) {
      await client.close().catch(() => undefined);
      throw err;
    }
    this.client = client;
    this.needsNewProducerId = false;
  }

  /** After the sends already queued. */
  async disconnect(): Promise<void> {
    const done = this.tail.then(async () => {
      const client = this.client;
      this.client = undefined;
      await client?.close();
    });
    this.tail = done.catch(() => undefined);
    await done;
  }

  send({ topic, messages, acks, timeout, compression }: ProducerRecord): Promise<RecordMetadata[]> {
    return this.sendBatch({ acks, timeout, compression, topicMessages: [{ topic, messages }] });
  }

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    const run = this.tail.then(() => this.sendNow(batch));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async sendNow(batch: ProducerBatch): Promise<RecordMetadata[]> {
    const client = this.client;
    if (!client) throw new Error('PlatformaticProducer: send before connect');
    if (batch.acks !== undefined && batch.acks !== -1) {
      throw new Error(`PlatformaticProducer: an idempotent producer needs acks=-1, not ${batch.acks}`);
    }
    if (batch.compression) throw new Error('PlatformaticProducer: compression is not supported');
    if (this.needsNewProducerId) {
      const before = client.producerId;
      await client.initIdempotentProducer({});
      this.needsNewProducerId = false;
      this.options.logger.warn(
        { previousProducerId: String(before), producerId: String(client.producerId) },
        'kafka producer: new producer id after a failed send',
      );
    }
    try {
      return toRecordMetadata(await client.send({ messages: toPlatformaticMessages(batch) }));
    } catch (err) {
      this.needsNewProducerId = true;
      throw err;
    }
  }
}

/**
 * kafkajs's DefaultPartitioner (Java's): a keyed message goes to positive murmur2(key) modulo the
 * partition count, which @platformatic/kafka's `compatibilityPartitioner` computes; its default
 * partitioner takes murmur2 unsigned instead and puts about half of all keys elsewhere
 * (platformatic/kafka#121). A keyless message goes round-robin, as with kafkajs: once a partitioner
 * is given the client no longer does that itself. The client takes the result modulo the count.
 */
export function createDefaultPartitioner(): Partitioner<Buffer, Buffer, Buffer, Buffer> {
  const roundRobin = new Map<string, number>();
  return (message, key) => {
    if (key !== undefined) return compatibilityPartitioner(message, key);
    const next = roundRobin.get(message.topic) ?? 0;
    roundRobin.set(message.topic, (next + 1) % 0x7fffffff);
    return next;
  };
}

/** kafkajs's batch as @platformatic/kafka's messages (keys, values and headers as bytes). */
export function toPlatformaticMessages(batch: ProducerBatch): MessageToProduce[] {
  const out: MessageToProduce[] = [];
  for (const { topic, messages } of batch.topicMessages ?? []) {
    for (const message of messages) {
      const converted: MessageToProduce = { topic };
      const key = toBuffer(message.key);
      const value = toBuffer(message.value);
      if (key !== undefined) converted.key = key;
      if (value !== undefined) converted.value = value;
      if (message.headers) converted.headers = toHeaders(message.headers);
      if (message.partition !== undefined) converted.partition = message.partition;
      if (message.timestamp !== undefined) converted.timestamp = BigInt(message.timestamp);
      out.push(converted);
    }
  }
  return out;
}

function toBuffer(value: Buffer | string | null | undefined): Buffer | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string' ? Buffer.from(value) : value;
}

// A Map keyed by distinct Buffers keeps kafkajs's repeated header names (an array value) in order.
function toHeaders(headers: IHeaders): Map<Buffer, Buffer> {
  const out = new Map<Buffer, Buffer>();
  for (const [name, value] of Object.entries(headers)) {
    for (const one of Array.isArray(value) ? value : [value]) {
      if (one !== undefined) out.set(Buffer.from(name), toBuffer(one) ?? Buffer.alloc(0));
    }
  }
  return out;
}

function toRecordMetadata(result: ProduceResult): RecordMetadata[] {
  return (result.offsets ?? []).map(({ topic, partition, offset }) => ({
    topicName: topic,
    partition,
    errorCode: 0,
    baseOffset: offset.toString(),
  }));
}
