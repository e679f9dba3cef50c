import { create } from '@bufbuild/protobuf';
import type { Timestamp } from '@bufbuild/protobuf/wkt';
import { ContractError, ContractErrorCode } from './contract-error';
import { EventEnvelopeSchema, type EventEnvelope } from './gen/duemap/common/v1/envelope_pb';
import { eventTypeOf, PROTOBUF_CONTENT_TYPE, schemaVersionOf, type EventOf, type TopicName } from './topics';

// The Kafka record of a Duemap event (see proto/README.md):
//   key     = customer id (every event's customer_id), so one customer's events stay in order
//   value   = binary protobuf of the topic's message, nothing wrapped around it
//   headers = the metadata below, so brokers, tools and consumers can route, deduplicate and
//             trace a record without decoding its value
// EventEnvelope (duemap.common.v1) carries the same for sinks without headers.

/** Kafka header names of the contract. Lower-case: Kafka header keys are case-sensitive. */
export const EventHeader = {
  EventId: 'event-id',
  EventType: 'event-type',
  SchemaVersion: 'schema-version',
  ContentType: 'content-type',
  OccurredAt: 'occurred-at',
  Producer: 'producer',
  TraceParent: 'traceparent',
  TraceState: 'tracestate',
} as const;

export type EventHeaderName = (typeof EventHeader)[keyof typeof EventHeader];

/** The contract headers of one record, decoded and validated. */
export interface EventHeaders {
  /** UUID assigned once in the producer's outbox; consumers deduplicate on it. Lower case. */
  readonly eventId: string;
  /** Fully-qualified protobuf message name, e.g. `duemap.payments.v1.PaymentReceived`. */
  readonly eventType: string;
  /** Major version of the contract, "1" for `.v1` topics. */
  readonly schemaVersion: string;
  /** `application/x-protobuf` for every event topic. */
  readonly contentType: string;
  /** RFC 3339 instant, equal to the payload's occurred_at. */
  readonly occurredAt: string;
  /** Name of the producing service, e.g. "payments". */
  readonly producer: string;
  /**
   * W3C Trace Context traceparent of the transaction that wrote the event. Absent only when
   * the record's was missing or malformed (see readHeaders); then the consumer starts a trace.
   */
  readonly traceparent?: string;
  /** W3C Trace Context tracestate, when the producer had one (and a valid traceparent). */
  readonly tracestate?: string;
}

/** What kafkajs hands a consumer as `message.headers`. */
export type RawHeaders = Readonly<Record<string, Buffer | string | undefined | readonly (Buffer | string)[]>>;

/** What a producer knows about an event beyond the message itself. */
export interface EventMetadata {
  /**
   * Required, never generated here: the id is fixed when the event is written to the
   * outbox, and a relay that retries must publish the same id or consumers' inbox
   * deduplication cannot recognise the duplicate.
   */
  readonly eventId: string;
  readonly producer: string;
  readonly traceparent: string;
  readonly tracestate?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EVENT_TYPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\.[A-Z][A-Za-z0-9]*$/;
const SCHEMA_VERSION = /^[1-9][0-9]*$/;
const PRODUCER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i;
// version-traceid-parentid-flags; later versions may append fields, version ff is invalid.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const TRACESTATE_MAX_LENGTH = 512;

/**
 * Headers for publishing `event` on `topic`. event-type, schema-version, content-type and
 * occurred-at are derived from the topic and the event so they cannot disagree with them.
 */
export function buildHeaders<T extends TopicName>(
  topic: T,
  event: EventOf<T>,
  meta: EventMetadata,
): Record<string, string> {
  if (event.occurredAt === undefined) {
    throw new ContractError(ContractErrorCode.InvalidEvent, `${topic}: occurred_at is not set`, {
      topic,
      field: 'occurred_at',
    });
  }
  const headers: Record<string, string> = {
    [EventHeader.EventId]: meta.eventId,
    [EventHeader.EventType]: eventTypeOf(topic),
    [EventHeader.SchemaVersion]: schemaVersionOf(topic),
    [EventHeader.ContentType]: PROTOBUF_CONTENT_TYPE,
    [EventHeader.OccurredAt]: formatRfc3339(event.occurredAt),
    [EventHeader.Producer]: meta.producer,
    [EventHeader.TraceParent]: meta.traceparent,
  };
  if (meta.tracestate !== undefined && meta.tracestate !== '') {
    headers[EventHeader.TraceState] = meta.tracestate;
  }
  // Same validation as consumers apply, plus a mandatory traceparent, so a bad id or trace
  // context fails in the producer's transaction rather than in every consumer's DLQ.
  validateHeaders(headers, 'produce');
  return headers;
}

/**
 * Decodes and validates the contract headers of a consumed record. Throws ContractError
 * (MISSING_HEADER / INVALID_HEADER, naming the header) when a header is absent or
 * malformed. Other headers are ignored. Content type and event type are checked against
 * the topic by decodeEvent / decodeRecord, not here.
 *
 * Trace context is the exception: producers must send a traceparent (buildHeaders insists),
 * but a consumer that finds it missing or malformed drops it (and tracestate) and goes on,
 * as W3C Trace Context prescribes; a lost trace is no reason to dead-letter a payment.
 */
export function readHeaders(raw: RawHeaders): EventHeaders {
  return validateHeaders(raw, 'consume');
}

function validateHeaders(raw: RawHeaders, mode: 'produce' | 'consume'): EventHeaders {
  const fail = (code: ContractErrorCode, header: EventHeaderName, problem: string): never => {
    // A producer's mistake is reported as what it is, whatever header it concerns.
    throw new ContractError(
      mode === 'produce' ? ContractErrorCode.InvalidEvent : code,
      `header "${header}" ${problem}`,
      {
        header,
      },
    );
  };
  const single = (header: EventHeaderName): string | undefined => {
    const values = headerValues(raw, header);
    if (values.length > 1)
      return fail(ContractErrorCode.InvalidHeader, header, 'is repeated with different values');
    return values[0];
  };
  const required = (header: EventHeaderName, pattern: RegExp, expected: string): string => {
    const value = single(header);
    if (value === undefined || value === '')
      return fail(ContractErrorCode.MissingHeader, header, 'is missing');
    if (!pattern.test(value)) {
      return fail(ContractErrorCode.InvalidHeader, header, `is not ${expected}: "${truncate(value)}"`);
    }
    return value;
  };

  // A UUID is a number, its spelling is not: .NET and SQL Server write GUIDs in upper case, while
  // Postgres (the inbox's uuid column) and randomUUID write them in lower case. Every use of the id
  // downstream (inbox, handlers, envelopes) compares strings, so it gets one canonical spelling here.
  const eventId = required(EventHeader.EventId, UUID, 'a UUID').toLowerCase();
  const eventType = required(EventHeader.EventType, EVENT_TYPE, 'a fully-qualified protobuf message name');
  const schemaVersion = required(EventHeader.SchemaVersion, SCHEMA_VERSION, 'a major version number');
  const contentType = required(EventHeader.ContentType, /^\S+\/\S+$/, 'a media type');
  const occurredAt = required(EventHeader.OccurredAt, RFC3339, 'an RFC 3339 timestamp');
  if (parseRfc3339(occurredAt) === undefined) {
    fail(ContractErrorCode.InvalidHeader, EventHeader.OccurredAt, `is not a real instant: "${occurredAt}"`);
  }
  const producer = required(EventHeader.Producer, PRODUCER, 'a service name');
  const headers: EventHeaders = { eventId, eventType, schemaVersion, contentType, occurredAt, producer };

  const [traceparent, ...otherTraceparents] = headerValues(raw, EventHeader.TraceParent);
  if (traceparent === undefined || otherTraceparents.length > 0 || !isValidTraceparent(traceparent)) {
    if (mode === 'produce') {
      fail(
        ContractErrorCode.InvalidHeader,
        EventHeader.TraceParent,
        `is not one W3C traceparent: "${traceparent ?? ''}"`,
      );
    }
    return headers;
  }
  const tracestates = headerValues(raw, EventHeader.TraceState);
  // W3C allows tracestate to be split over several headers, joined with commas.
  const tracestate = tracestates.join(',');
  if (tracestate === '') return { ...headers, traceparent };
  if (tracestate.length > TRACESTATE_MAX_LENGTH) {
    if (mode === 'produce') {
      fail(
        ContractErrorCode.InvalidHeader,
        EventHeader.TraceState,
        `is longer than ${TRACESTATE_MAX_LENGTH} characters`,
      );
    }
    return { ...headers, traceparent };
  }
  return { ...headers, traceparent, tracestate };
}

/**
 * The distinct values of a header. kafkajs collects a repeated header into an array: the
 * same value twice is harmless (some clients re-add headers on retry), two different values
 * leave no right answer and the caller treats them as malformed.
 */
function headerValues(raw: RawHeaders, header: EventHeaderName): string[] {
  const value = raw[header];
  return value === undefined ? [] : [...new Set(headerStrings(value))];
}

function headerStrings(value: Buffer | string | readonly (Buffer | string)[]): string[] {
  if (typeof value === 'string') return [value];
  if (Buffer.isBuffer(value)) return [value.toString('utf8')];
  return value.map((v) => (typeof v === 'string' ? v : v.toString('utf8')));
}

function isValidTraceparent(value: string): boolean {
  const match = TRACEPARENT.exec(value);
  if (match === null) return false;
  const [, version, traceId, parentId, , rest] = match;
  if (version === 'ff') return false;
  // Version 00 has exactly four fields; only later versions may append more.
  if (version === '00' && rest !== undefined) return false;
  return !/^0+$/.test(traceId ?? '') && !/^0+$/.test(parentId ?? '');
}

/** RFC 3339 in UTC with the Timestamp's full precision, trailing zeros trimmed. */
export function formatRfc3339(ts: Pick<Timestamp, 'seconds' | 'nanos'>): string {
  const seconds = new Date(Number(ts.seconds) * 1000).toISOString().slice(0, 19);
  const fraction = ts.nanos === 0 ? '' : `.${String(ts.nanos).padStart(9, '0').replace(/0+$/, '')}`;
  return `${seconds}${fraction}Z`;
}

/** Parses an RFC 3339 timestamp to seconds + nanos without losing sub-millisecond digits. */
export function parseRfc3339(value: string): { seconds: bigint; nanos: number } | undefined {
  const match = RFC3339.exec(value);
  if (match === null) return undefined;
  const [, dateTime, fraction = '', zone = 'Z'] = match;
  const ms = Date.parse(`${dateTime}${zone.toUpperCase()}`);
  // Date.parse rolls 2025-02-30 over to March; a real instant must format back to itself.
  if (Number.isNaN(ms) || !sameWallClock(dateTime ?? '', ms, zone)) return undefined;
  return { seconds: BigInt(ms / 1000), nanos: Number(fraction.padEnd(9, '0')) };
}

function sameWallClock(dateTime: string, ms: number, zone: string): boolean {
  const offsetMinutes =
    zone.toUpperCase() === 'Z'
      ? 0
      : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  return new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19) === dateTime.toUpperCase();
}

function truncate(value: string): string {
  return value.length > 80 ? `${value.slice(0, 80)}…` : value;
}

/** A Kafka record of a Duemap event in the form producers and the outbox handle it. */
export interface EventRecord {
  readonly topic: string;
  /** The customer id. */
  readonly key: string;
  /** Binary protobuf of the event. */
  readonly value: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
}

const CONTRACT_HEADERS: ReadonlySet<string> = new Set(Object.values(EventHeader));

/**
 * Wraps a record into an EventEnvelope for a sink without headers (webhook body, DLQ
 * archive). Validates the contract headers; any other header (e.g. a DLQ error) is kept in
 * extra_headers.
 */
export function toEnvelope(record: {
  readonly topic: string;
  readonly key: string;
  readonly value: Uint8Array;
  readonly headers: RawHeaders;
}): EventEnvelope {
  const headers = readHeaders(record.headers);
  const extraHeaders: Record<string, string> = {};
  for (const name of Object.keys(record.headers)) {
    if (CONTRACT_HEADERS.has(name)) continue;
    const value = record.headers[name];
    if (value === undefined) continue;
    extraHeaders[name] = headerStrings(value).join(',');
  }
  const occurredAt = parseRfc3339(headers.occurredAt);
  return create(EventEnvelopeSchema, {
    eventId: headers.eventId,
    eventType: headers.eventType,
    schemaVersion: headers.schemaVersion,
    contentType: headers.contentType,
    ...(occurredAt === undefined ? {} : { occurredAt }),
    producer: headers.producer,
    traceparent: headers.traceparent ?? '',
    tracestate: headers.tracestate ?? '',
    topic: record.topic,
    key: record.key,
    payload: record.value,
    extraHeaders,
  });
}

/** The Kafka record an EventEnvelope stands for, e.g. to replay an archived DLQ entry. */
export function fromEnvelope(envelope: EventEnvelope): EventRecord {
  if (envelope.occurredAt === undefined) {
    throw new ContractError(ContractErrorCode.MissingHeader, 'envelope has no occurred_at', {
      header: EventHeader.OccurredAt,
    });
  }
  const headers: Record<string, string> = {
    ...envelope.extraHeaders,
    [EventHeader.EventId]: envelope.eventId,
    [EventHeader.EventType]: envelope.eventType,
    [EventHeader.SchemaVersion]: envelope.schemaVersion,
    [EventHeader.ContentType]: envelope.contentType,
    [EventHeader.OccurredAt]: formatRfc3339(envelope.occurredAt),
    [EventHeader.Producer]: envelope.producer,
  };
  if (envelope.traceparent !== '') headers[EventHeader.TraceParent] = envelope.traceparent;
  if (envelope.traceparent !== '' && envelope.tracestate !== '')
    headers[EventHeader.TraceState] = envelope.tracestate;
  readHeaders(headers);
  return { topic: envelope.topic, key: envelope.key, value: envelope.payload, headers };
}
