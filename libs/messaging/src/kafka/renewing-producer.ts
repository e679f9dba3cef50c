import type { Producer, ProducerBatch, ProducerRecord, RecordMetadata } from 'kafkajs';
import type { Logger } from 'pino';
import { producerRenewals } from '../metrics';

export interface RenewingProducerOptions {
  /** Makes a new, unconnected idempotent producer (createProducer). */
  create: () => Producer;
  /** Names the producer in logs and in `duemap_kafka_producer_renewals_total` (relay, dead-letter). */
  name: string;
  logger: Logger;
}

/**
 * An idempotent kafkajs producer that is thrown away after any failed send: the next send connects
 * a new one, with a new producer id. kafkajs 2.2.4 rewinds a partition's sequence number when a
 * Produce fails, although the broker may have stored the batch, and keeps its producer id for the
 * producer's life; a later send of other messages from that rewound number is then taken by the
 * broker for the stored batch (acknowledged, not written) or refused as out of order for good.
 * A new producer id starts every sequence afresh. ADR 0011.
 *
 * Sends run one at a time: a send queued behind a failing one must not reach the old producer.
 */
export class RenewingProducer {
  private current?: Producer;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: RenewingProducerOptions) {}

  /** Connects the first producer, so a start without a broker fails as it did. */
  async connect(): Promise<void> {
    await this.serially(() => Promise.resolve());
  }

  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    return this.serially((producer) => producer.send(record));
  }

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    return this.serially((producer) => producer.sendBatch(batch));
  }

  /** After the sends already queued. A later send connects a new producer. */
  async disconnect(): Promise<void> {
    const done = this.tail.then(async () => {
      const producer = this.current;
      this.current = undefined;
      await producer?.disconnect();
    });
    this.tail = done.catch(() => undefined);
    await done;
  }

  private serially<T>(work: (producer: Producer) => Promise<T>): Promise<T> {
    const run = this.tail.then(() => this.attempt(work));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async attempt<T>(work: (producer: Producer) => Promise<T>): Promise<T> {
    const producer = this.current ?? (await this.connectNew());
    try {
      return await work(producer);
    } catch (err) {
      this.current = undefined;
      producerRenewals.inc({ producer: this.options.name });
      this.options.logger.warn(
        { err, producer: this.options.name },
        'kafka producer: a send failed; the next send uses a new producer id',
      );
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
  }

  private async connectNew(): Promise<Producer> {
    const producer = this.options.create();
    try {
      await producer.connect();
    } catch (err) {
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
    this.current = producer;
    return producer;
  }
}
