import {
  create,
  fromBinary,
  toBinary,
  type DescMessage,
  type Message,
  type MessageShape,
} from '@bufbuild/protobuf';
import { ContractError, ContractErrorCode } from './contract-error';
import {
  buildHeaders,
  readHeaders,
  type EventHeaders,
  type EventMetadata,
  type RawHeaders,
} from './envelope';
import {
  isTopicName,
  PROTOBUF_CONTENT_TYPE,
  schemaVersionOf,
  TOPICS,
  type AnyEvent,
  type EventInitOf,
  type EventOf,
  type TopicName,
} from './topics';
import { findContractViolations } from './validate';

/** The headers decodeEvent can check the payload against (all of them come from readHeaders). */
export type ExpectedHeaders = Partial<Pick<EventHeaders, 'eventType' | 'schemaVersion' | 'contentType'>>;

/** A typed event for a topic, e.g. `createEvent(Topic.PaymentReceived, { customerId, ... })`. */
export function createEvent<T extends TopicName>(topic: T, init: EventInitOf<T>): EventOf<T> {
  return create(schemaFor(topic), init);
}

/**
 * Binary protobuf of an event, after checking it honours the contract (non-empty
 * customer_id, occurred_at set, well-formed Money / CalendarDate / Timestamp values), so a
 * producer bug fails in the producer's transaction instead of poisoning every consumer.
 * Throws ContractError INVALID_EVENT or EVENT_TYPE_MISMATCH.
 */
export function encodeEvent<T extends TopicName>(topic: T, event: EventOf<T>): Uint8Array {
  const schema = schemaFor(topic);
  if ((event as Message).$typeName !== schema.typeName) {
    throw new ContractError(
      ContractErrorCode.EventTypeMismatch,
      `${topic} carries ${schema.typeName}, not ${(event as Message).$typeName}`,
      { topic },
    );
  }
  assertHonoursContract(topic, schema, event, ContractErrorCode.InvalidEvent);
  return toBinary(schema, event);
}

/**
 * Decodes a record value of `topic`. With `headers` (from readHeaders) it also checks that
 * the record says it carries the topic's message in the topic's encoding and major version:
 * the payload bytes alone cannot tell two events apart, because every event shares fields
 * 1 (customer_id) and 2 (occurred_at).
 *
 * Unknown fields are accepted on purpose: a producer on a newer minor revision of the same
 * major may add fields, and older consumers must keep working (buf breaking guards that).
 *
 * Throws ContractError: UNKNOWN_TOPIC, MALFORMED_PAYLOAD (not protobuf, or breaks the
 * contract's rules), EVENT_TYPE_MISMATCH, SCHEMA_VERSION_MISMATCH, UNSUPPORTED_CONTENT_TYPE.
 */
export function decodeEvent<T extends TopicName>(
  topic: T,
  bytes: Uint8Array,
  headers?: ExpectedHeaders,
): EventOf<T>;
export function decodeEvent(topic: string, bytes: Uint8Array, headers?: ExpectedHeaders): AnyEvent;
export function decodeEvent(topic: string, bytes: Uint8Array, headers?: ExpectedHeaders): AnyEvent {
  if (!isTopicName(topic)) {
    throw new ContractError(ContractErrorCode.UnknownTopic, `no protobuf schema for topic "${topic}"`, {
      topic,
    });
  }
  return decodeMessage(topic, schemaFor(topic), bytes, headers);
}

/**
 * Decodes a record value with an explicit schema, with the same strictness as `decodeEvent`:
 * for consumers that read a topic by a name the registry does not hold (a private test topic,
 * a replay copy) but know what it carries.
 */
export function decodeMessage<Desc extends DescMessage>(
  topic: string,
  schema: Desc,
  bytes: Uint8Array,
  headers?: ExpectedHeaders,
): MessageShape<Desc> {
  if (headers !== undefined) checkHeadersMatchSchema(topic, schema, headers);
  let event: MessageShape<Desc>;
  try {
    event = fromBinary(schema, bytes);
  } catch (cause) {
    throw new ContractError(
      ContractErrorCode.MalformedPayload,
      `${topic}: value is not a ${schema.typeName}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { topic, cause },
    );
  }
  assertHonoursContract(topic, schema, event, ContractErrorCode.MalformedPayload);
  return event;
}

/** A record as kafkajs hands it to `eachMessage` (`{ topic, message: { key, value, headers } }`). */
export interface IncomingRecord {
  readonly topic: string;
  readonly key?: Buffer | string | null;
  readonly value: Uint8Array | null;
  readonly headers?: RawHeaders;
}

export interface DecodedRecord<T extends TopicName> {
  readonly topic: T;
  readonly headers: EventHeaders;
  readonly event: EventOf<T>;
}

/** Discriminated by `topic`: `switch (record.topic)` narrows `record.event`. */
export type AnyDecodedRecord = { [T in TopicName]: DecodedRecord<T> }[TopicName];

/**
 * The consumer's one call: validates the headers, checks them against the topic, decodes
 * the value and checks the key is the event's customer id (a record under another key
 * was routed to the wrong partition and may be out of order with that customer's events).
 */
export function decodeRecord<T extends TopicName>(
  record: IncomingRecord & { readonly topic: T },
): DecodedRecord<T>;
export function decodeRecord(record: IncomingRecord): AnyDecodedRecord;
export function decodeRecord(record: IncomingRecord): AnyDecodedRecord {
  const { topic } = record;
  if (!isTopicName(topic)) {
    throw new ContractError(ContractErrorCode.UnknownTopic, `no protobuf schema for topic "${topic}"`, {
      topic,
    });
  }
  if (record.value === null) {
    throw new ContractError(ContractErrorCode.MalformedPayload, `${topic}: record has no value (tombstone)`, {
      topic,
    });
  }
  const headers = readHeaders(record.headers ?? {});
  const event = decodeEvent(topic, record.value, headers);
  if (record.key !== undefined && record.key !== null) {
    const key = typeof record.key === 'string' ? record.key : record.key.toString('utf8');
    if (key !== event.customerId) {
      throw new ContractError(
        ContractErrorCode.KeyMismatch,
        `${topic}: record key "${key}" is not the event's customer_id "${event.customerId}"`,
        { topic, field: 'customer_id' },
      );
    }
  }
  // The pairing of topic and event type was checked by decodeEvent; TypeScript cannot
  // follow it through the union, hence the assertion.
  return { topic, headers, event } as AnyDecodedRecord;
}

/** What a producer (or the outbox writer) stores and the relay publishes. */
export interface EncodedRecord<T extends TopicName> {
  readonly topic: T;
  /** The event's customer id. */
  readonly key: string;
  /** Binary protobuf; a Buffer because both kafkajs and a bytea column want one. */
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/** Key, value and headers of an event, all derived from the contract in one place. */
export function encodeRecord<T extends TopicName>(
  topic: T,
  event: EventOf<T>,
  meta: EventMetadata,
): EncodedRecord<T> {
  const bytes = encodeEvent(topic, event);
  const headers = buildHeaders(topic, event, meta);
  return {
    topic,
    key: event.customerId,
    value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    headers,
  };
}

function schemaFor<T extends TopicName>(topic: T): (typeof TOPICS)[T] {
  const schema = TOPICS[topic];
  // A topic typed as TopicName but coming from a cast string would otherwise fail later
  // with a protobuf-es TypeError that names no topic.
  if ((schema as DescMessage | undefined) === undefined) {
    throw new ContractError(ContractErrorCode.UnknownTopic, `no protobuf schema for topic "${topic}"`, {
      topic,
    });
  }
  return schema;
}

function checkHeadersMatchSchema(topic: string, schema: DescMessage, headers: ExpectedHeaders): void {
  if (headers.contentType !== undefined && headers.contentType !== PROTOBUF_CONTENT_TYPE) {
    throw new ContractError(
      ContractErrorCode.UnsupportedContentType,
      `${topic}: content-type is "${headers.contentType}", expected "${PROTOBUF_CONTENT_TYPE}"`,
      { topic, header: 'content-type' },
    );
  }
  if (headers.eventType !== undefined && headers.eventType !== schema.typeName) {
    throw new ContractError(
      ContractErrorCode.EventTypeMismatch,
      `${topic}: event-type is "${headers.eventType}", the topic carries "${schema.typeName}"`,
      { topic, header: 'event-type' },
    );
  }
  const major = schemaVersionOf(topic);
  if (headers.schemaVersion !== undefined && headers.schemaVersion !== major) {
    throw new ContractError(
      ContractErrorCode.SchemaVersionMismatch,
      `${topic}: schema-version is "${headers.schemaVersion}", the topic is version "${major}"`,
      { topic, header: 'schema-version' },
    );
  }
}

function assertHonoursContract(
  topic: string,
  schema: DescMessage,
  event: Message,
  code: ContractErrorCode,
): void {
  const violations = findContractViolations(schema, event);
  const [first] = violations;
  if (first === undefined) return;
  const list = violations.map((v) => `${v.field} ${v.problem}`).join('; ');
  throw new ContractError(code, `${topic}: ${schema.typeName} breaks the contract: ${list}`, {
    topic,
    field: first.field,
  });
}
