import type { IHeaders } from 'kafkajs';

/** A Kafka record as the consumer hands it to a topic's decoder. */
export interface RawRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key?: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: IHeaders;
}

/** What a decoder makes of a record: the inbox key, the headers its handler sees, the typed event. */
export interface ConsumedRecord<E, H> {
  /** Lower-case UUID the inbox deduplicates on: the same record again has no second effect. */
  readonly eventId: string;
  readonly headers: H;
  readonly event: E;
}

/**
 * Turns a record of one topic into its event, or throws a ContractError (the record breaks the
 * topic's contract: it goes to the DLQ at once, as no retry can mend it).
 */
export type RecordDecoder<E, H> = (record: RawRecord) => ConsumedRecord<E, H>;
