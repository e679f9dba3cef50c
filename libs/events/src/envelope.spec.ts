import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ContractError, ContractErrorCode } from './contract-error';
import {
  buildHeaders,
  EventHeader,
  formatRfc3339,
  fromEnvelope,
  parseRfc3339,
  readHeaders,
  toEnvelope,
  type EventHeaderName,
} from './envelope';
import { EventEnvelopeSchema } from './gen/duemap/common/v1/envelope_pb';
import { SAMPLE_EVENTS } from './testing/sample-events';
import { Topic, TOPICS } from './topics';

const EVENT_ID = '3f1c2b9a-8d7e-4f60-a1b2-c3d4e5f60718';
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const meta = { eventId: EVENT_ID, producer: 'payments', traceparent: TRACEPARENT };
const paymentReceived = create(TOPICS[Topic.PaymentReceived], SAMPLE_EVENTS[Topic.PaymentReceived]);

function contractError(fn: () => unknown): ContractError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ContractError) return error;
    throw error;
  }
  throw new Error('expected a ContractError, nothing was thrown');
}

describe('buildHeaders', () => {
  it('derives type, version, content type and time from the topic and the event', () => {
    expect(
      buildHeaders(Topic.PaymentReceived, paymentReceived, { ...meta, tracestate: 'congo=t61rcWkgMzE' }),
    ).toEqual({
      'event-id': EVENT_ID,
      'event-type': 'duemap.payments.v1.PaymentReceived',
      'schema-version': '1',
      'content-type': 'application/x-protobuf',
      'occurred-at': '2025-03-31T08:15:30.123Z',
      producer: 'payments',
      traceparent: TRACEPARENT,
      tracestate: 'congo=t61rcWkgMzE',
    });
  });

  it('insists on a valid event id and trace context from the producer', () => {
    expect(
      contractError(() => buildHeaders(Topic.PaymentReceived, paymentReceived, { ...meta, eventId: 'x' })),
    ).toMatchObject({
      code: ContractErrorCode.InvalidEvent,
      details: { header: 'event-id' },
    });
    expect(
      contractError(() => buildHeaders(Topic.PaymentReceived, paymentReceived, { ...meta, traceparent: '' })),
    ).toMatchObject({ code: ContractErrorCode.InvalidEvent, details: { header: 'traceparent' } });
  });

  it('refuses an event without occurred_at', () => {
    const event = create(TOPICS[Topic.PaymentReceived], {
      ...SAMPLE_EVENTS[Topic.PaymentReceived],
      occurredAt: undefined,
    });
    expect(contractError(() => buildHeaders(Topic.PaymentReceived, event, meta)).code).toBe(
      ContractErrorCode.InvalidEvent,
    );
  });
});

describe('readHeaders', () => {
  const valid = (): Record<string, string> => buildHeaders(Topic.PaymentReceived, paymentReceived, meta);

  it('reads what buildHeaders wrote, as strings or as kafkajs Buffers', () => {
    const expected = {
      eventId: EVENT_ID,
      eventType: 'duemap.payments.v1.PaymentReceived',
      schemaVersion: '1',
      contentType: 'application/x-protobuf',
      occurredAt: '2025-03-31T08:15:30.123Z',
      producer: 'payments',
      traceparent: TRACEPARENT,
    };
    expect(readHeaders(valid())).toEqual(expected);
    const buffers = Object.fromEntries(Object.entries(valid()).map(([k, v]) => [k, Buffer.from(v)]));
    expect(readHeaders({ ...buffers, 'x-retry-count': Buffer.from('3') })).toEqual(expected);
  });

  const required: EventHeaderName[] = [
    EventHeader.EventId,
    EventHeader.EventType,
    EventHeader.SchemaVersion,
    EventHeader.ContentType,
    EventHeader.OccurredAt,
    EventHeader.Producer,
  ];

  it.each(required)('names a missing %s', (header) => {
    const headers: Record<string, string | undefined> = valid();
    headers[header] = undefined;
    const error = contractError(() => readHeaders(headers));
    expect(error).toMatchObject({ code: ContractErrorCode.MissingHeader, details: { header } });
    expect(error.message).toContain(header);
    expect(contractError(() => readHeaders({ ...valid(), [header]: '' })).code).toBe(
      ContractErrorCode.MissingHeader,
    );
  });

  it.each([
    [EventHeader.EventId, 'not-a-uuid'],
    [EventHeader.EventType, 'PaymentReceived'],
    [EventHeader.SchemaVersion, 'v1'],
    [EventHeader.ContentType, 'protobuf'],
    [EventHeader.OccurredAt, '2025-03-31 08:15:30'],
    [EventHeader.OccurredAt, '2025-02-30T08:15:30Z'],
    [EventHeader.Producer, 'pay ments'],
  ])('names a malformed %s (%j)', (header, value) => {
    expect(contractError(() => readHeaders({ ...valid(), [header]: value }))).toMatchObject({
      code: ContractErrorCode.InvalidHeader,
      details: { header },
    });
  });

  it('accepts a header repeated with the same value, not with different ones', () => {
    expect(readHeaders({ ...valid(), 'event-id': [EVENT_ID, Buffer.from(EVENT_ID)] }).eventId).toBe(EVENT_ID);
    expect(
      contractError(() =>
        readHeaders({ ...valid(), 'event-id': [EVENT_ID, '9f1c2b9a-8d7e-4f60-a1b2-c3d4e5f60718'] }),
      ),
    ).toMatchObject({ code: ContractErrorCode.InvalidHeader, details: { header: 'event-id' } });
  });

  // W3C Trace Context: a receiver drops an unusable traceparent and starts a new trace.
  it.each([
    ['missing', undefined],
    ['garbage', 'nope'],
    ['all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['version ff', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['extra field in version 00', `${TRACEPARENT}-zz`],
  ])('drops a %s traceparent (and its tracestate) instead of failing', (_case, traceparent) => {
    const headers = readHeaders({ ...valid(), traceparent, tracestate: 'congo=t61rcWkgMzE' });
    expect(headers.traceparent).toBeUndefined();
    expect(headers.tracestate).toBeUndefined();
    expect(headers.eventId).toBe(EVENT_ID);
  });

  it('keeps tracestate, joining a split one', () => {
    expect(readHeaders({ ...valid(), tracestate: ['a=1', 'b=2'] }).tracestate).toBe('a=1,b=2');
  });

  // .NET and SQL Server write GUIDs in upper case; the inbox's uuid column reads them back in
  // lower case, and an id compared in another spelling is a different event.
  it('reads an event id in any case as its canonical lower-case form', () => {
    const upper = EVENT_ID.toUpperCase();
    expect(readHeaders({ ...valid(), 'event-id': upper }).eventId).toBe(EVENT_ID);
    expect(
      readHeaders({ ...valid(), 'event-id': Buffer.from('3F1c2B9a-8D7e-4F60-A1b2-C3d4E5f60718') }).eventId,
    ).toBe(EVENT_ID);
    expect(
      toEnvelope({
        topic: 't',
        key: 'k',
        value: new Uint8Array(),
        headers: { ...valid(), 'event-id': upper },
      }).eventId,
    ).toBe(EVENT_ID);
  });
});

describe('RFC 3339', () => {
  it('keeps nanoseconds both ways', () => {
    const ts = { seconds: 1_743_408_930n, nanos: 123_456_789 };
    expect(formatRfc3339(ts)).toBe('2025-03-31T08:15:30.123456789Z');
    expect(parseRfc3339('2025-03-31T08:15:30.123456789Z')).toEqual(ts);
    expect(formatRfc3339({ seconds: 1_743_408_930n, nanos: 0 })).toBe('2025-03-31T08:15:30Z');
  });

  it('understands offsets and rejects impossible instants', () => {
    expect(parseRfc3339('2025-03-31T16:15:30+08:00')).toEqual({ seconds: 1_743_408_930n, nanos: 0 });
    expect(parseRfc3339('2025-03-31T24:15:30Z')).toBeUndefined();
    expect(parseRfc3339('2025-03-31')).toBeUndefined();
  });
});

describe('EventEnvelope', () => {
  it('carries a record through a header-less sink and back, other headers included', () => {
    const headers = {
      ...buildHeaders(Topic.PaymentReceived, paymentReceived, meta),
      'dlq-error': Buffer.from('boom'),
    };
    const value = toBinary(TOPICS[Topic.PaymentReceived], paymentReceived);
    const envelope = toEnvelope({
      topic: Topic.PaymentReceived,
      key: paymentReceived.customerId,
      value,
      headers,
    });
    expect(envelope).toMatchObject({
      eventId: EVENT_ID,
      eventType: 'duemap.payments.v1.PaymentReceived',
      schemaVersion: '1',
      producer: 'payments',
      traceparent: TRACEPARENT,
      topic: Topic.PaymentReceived,
      key: paymentReceived.customerId,
      extraHeaders: { 'dlq-error': 'boom' },
    });
    expect(envelope.occurredAt).toEqual(paymentReceived.occurredAt);

    const archived = fromBinary(EventEnvelopeSchema, toBinary(EventEnvelopeSchema, envelope));
    const record = fromEnvelope(archived);
    expect(record).toEqual({
      topic: Topic.PaymentReceived,
      key: paymentReceived.customerId,
      value,
      headers: { ...buildHeaders(Topic.PaymentReceived, paymentReceived, meta), 'dlq-error': 'boom' },
    });
  });

  it('refuses to wrap a record whose headers break the contract', () => {
    expect(
      contractError(() =>
        toEnvelope({ topic: Topic.PaymentReceived, key: 'k', value: new Uint8Array(), headers: {} }),
      ).code,
    ).toBe(ContractErrorCode.MissingHeader);
  });
});
