import { create, toBinary } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import fc from 'fast-check';
import { createEvent, decodeEvent, decodeRecord, encodeEvent, encodeRecord } from './codec';
import { ContractError, ContractErrorCode } from './contract-error';
import { buildHeaders, readHeaders } from './envelope';
import { CalendarDateSchema } from './gen/duemap/common/v1/calendar_date_pb';
import { MoneySchema, type Money } from './gen/duemap/common/v1/money_pb';
import type { PaymentReceived } from './gen/duemap/payments/v1/payment_received_pb';
import { CUSTOMER_ID, SAMPLE_EVENTS } from './testing/sample-events';
import { Topic, TOPICS, type EventOf, type TopicName } from './topics';

const meta = {
  eventId: '3f1c2b9a-8d7e-4f60-a1b2-c3d4e5f60718',
  producer: 'payments',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
};
const eventTopics = Object.values(Topic);

function sample<T extends TopicName>(topic: T): EventOf<T> {
  return createEvent(topic, SAMPLE_EVENTS[topic]);
}

function contractError(fn: () => unknown): ContractError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ContractError) return error;
    throw error;
  }
  throw new Error('expected a ContractError, nothing was thrown');
}

describe('encodeEvent / decodeEvent', () => {
  it.each(eventTopics)('%s round-trips', (topic) => {
    const event = sample(topic);
    const bytes = encodeEvent(topic, event);
    expect(decodeEvent(topic, bytes)).toEqual(event);
    // ...and with the headers a producer would have sent.
    expect(decodeEvent(topic, bytes, readHeaders(buildHeaders(topic, event, meta)))).toEqual(event);
  });

  it('types the decoded event by its topic', () => {
    const event = decodeEvent(
      Topic.PaymentReceived,
      encodeEvent(Topic.PaymentReceived, sample(Topic.PaymentReceived)),
    );
    // A compile-time check as much as a runtime one: allocations exists on PaymentReceived.
    expect(event.allocations.map((a) => a.invoiceId)).toEqual(['inv-1', 'inv-2']);
  });

  it('accepts fields it does not know, so a newer minor revision does not break old consumers', () => {
    const bytes = encodeEvent(Topic.StatusChanged, sample(Topic.StatusChanged));
    const newer = new BinaryWriter()
      .raw(bytes)
      .tag(99, WireType.LengthDelimited)
      .string('added later')
      .finish();
    expect(decodeEvent(Topic.StatusChanged, newer).customerId).toBe(CUSTOMER_ID);
  });
});

describe('producer-side contract checks', () => {
  const money = (amount: string, currency = 'CNY'): Money => create(MoneySchema, { amount, currency });

  it.each<[string, (event: PaymentReceived) => void]>([
    ['customer_id', (e) => (e.customerId = '')],
    ['customer_id', (e) => (e.customerId = 'has space')],
    ['occurred_at', (e) => (e.occurredAt = undefined)],
    ['occurred_at', (e) => (e.occurredAt = timestampFromMs(0))],
    ['amount.amount', (e) => (e.amount = money('1,500.00'))],
    ['amount.amount', (e) => (e.amount = money('1.5e3'))],
    ['amount.amount', (e) => (e.amount = money('01500.00'))],
    ['amount.currency', (e) => (e.amount = money('1500.00', 'cny'))],
    [
      'allocations[1].applied.amount',
      (e) => e.allocations.splice(1, 1, { ...e.allocations[0]!, applied: money('') }),
    ],
    ['received_at', (e) => (e.receivedAt = { ...timestampFromMs(0), nanos: 1_000_000_000 })],
  ])('rejects a PaymentReceived with a bad %s', (field, spoil) => {
    const event = sample(Topic.PaymentReceived);
    spoil(event);
    const error = contractError(() => encodeEvent(Topic.PaymentReceived, event));
    expect(error).toMatchObject({
      code: ContractErrorCode.InvalidEvent,
      details: { topic: Topic.PaymentReceived, field },
    });
  });

  it('rejects an impossible calendar date', () => {
    const event = sample(Topic.InvoiceOverdue);
    event.dueDate = create(CalendarDateSchema, { year: 2025, month: 2, day: 29 });
    expect(contractError(() => encodeEvent(Topic.InvoiceOverdue, event)).details.field).toBe('due_date');
  });

  it('rejects a message of another topic even when TypeScript was talked out of it', () => {
    const paid = sample(Topic.InvoicePaid) as unknown as EventOf<typeof Topic.PaymentReceived>;
    expect(contractError(() => encodeEvent(Topic.PaymentReceived, paid)).code).toBe(
      ContractErrorCode.EventTypeMismatch,
    );
  });

  it('rejects an unknown topic', () => {
    const topic = 'payments.payment-received.v9' as TopicName;
    expect(contractError(() => encodeEvent(topic, sample(Topic.PaymentReceived))).code).toBe(
      ContractErrorCode.UnknownTopic,
    );
  });
});

describe('consumer-side rejection of malformed records', () => {
  const valid = encodeEvent(Topic.PaymentReceived, sample(Topic.PaymentReceived));

  it.each([
    ['empty value', new Uint8Array()],
    ['invalid wire type', Uint8Array.from([0x0f, 0x01])],
    ['truncated', valid.subarray(0, valid.length - 5)],
    ['length past the end', Uint8Array.from([0x0a, 0x7f, 0x41])],
    ['text', Buffer.from('{"customerId":"c-1"}')],
    ['invalid UTF-8 in customer_id', Uint8Array.from([0x0a, 0x02, 0xc3, 0x28, 0x12, 0x00])],
  ])('%s -> MALFORMED_PAYLOAD', (_case, bytes) => {
    expect(contractError(() => decodeEvent(Topic.PaymentReceived, bytes)).code).toBe(
      ContractErrorCode.MalformedPayload,
    );
  });

  // Protobuf parsing alone lets much noise through; the contract rules must catch the rest.
  it('never accepts random bytes as an event of any topic', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        for (const topic of eventTopics) {
          expect(contractError(() => decodeEvent(topic, bytes)).code).toBe(
            ContractErrorCode.MalformedPayload,
          );
        }
      }),
      { seed: 20250331, numRuns: 2000 },
    );
  });

  it('rejects a well-formed value the headers say is something else', () => {
    const paid = sample(Topic.InvoicePaid);
    const headers = readHeaders(buildHeaders(Topic.InvoicePaid, paid, meta));
    // The bytes alone would pass: every event shares fields 1 and 2.
    const bytes = encodeEvent(Topic.InvoicePaid, paid);
    expect(contractError(() => decodeEvent(Topic.PaymentReceived, bytes, headers)).code).toBe(
      ContractErrorCode.EventTypeMismatch,
    );
  });

  it('checks schema version and content type against the topic', () => {
    const bytes = encodeEvent(Topic.PaymentReceived, sample(Topic.PaymentReceived));
    expect(contractError(() => decodeEvent(Topic.PaymentReceived, bytes, { schemaVersion: '2' })).code).toBe(
      ContractErrorCode.SchemaVersionMismatch,
    );
    expect(
      contractError(() => decodeEvent(Topic.PaymentReceived, bytes, { contentType: 'application/json' }))
        .code,
    ).toBe(ContractErrorCode.UnsupportedContentType);
  });

  it('has no schema for ingestion or unknown topics', () => {
    expect(contractError(() => decodeEvent('erp.invoices.v1', valid)).code).toBe(
      ContractErrorCode.UnknownTopic,
    );
    expect(contractError(() => decodeEvent('nope', valid)).code).toBe(ContractErrorCode.UnknownTopic);
  });

  it('reports a decoded event that breaks the rules as malformed, naming the field', () => {
    const bad = create(TOPICS[Topic.PaymentReceived], {
      ...SAMPLE_EVENTS[Topic.PaymentReceived],
      customerId: '',
    });
    expect(
      contractError(() => decodeEvent(Topic.PaymentReceived, toBinary(TOPICS[Topic.PaymentReceived], bad))),
    ).toMatchObject({
      code: ContractErrorCode.MalformedPayload,
      details: { field: 'customer_id' },
    });
  });
});

describe('encodeRecord / decodeRecord', () => {
  it('keys the record by customer id and round-trips it', () => {
    const event = sample(Topic.BalanceChanged);
    const record = encodeRecord(Topic.BalanceChanged, event, { ...meta, producer: 'customers' });
    expect(record.key).toBe(CUSTOMER_ID);
    expect(Buffer.isBuffer(record.value)).toBe(true);
    expect(record.headers['event-type']).toBe('duemap.customers.v1.BalanceChanged');

    const decoded = decodeRecord({
      topic: record.topic,
      key: Buffer.from(record.key),
      value: record.value,
      headers: record.headers,
    });
    expect(decoded.event).toEqual(event);
    expect(decoded.headers.producer).toBe('customers');
  });

  it('narrows the event by topic when the topic is only known at run time', () => {
    const record = encodeRecord(Topic.StatusChanged, sample(Topic.StatusChanged), meta);
    const wireTopic: string = record.topic;
    const decoded = decodeRecord({
      topic: wireTopic,
      value: record.value,
      headers: record.headers,
    });
    switch (decoded.topic) {
      case Topic.StatusChanged:
        expect(decoded.event.previousStatus).toBe(SAMPLE_EVENTS[Topic.StatusChanged].previousStatus);
        break;
      default:
        throw new Error(`decoded as ${decoded.topic}`);
    }
  });

  it('rejects a record keyed by someone else, a tombstone and missing headers', () => {
    const record = encodeRecord(Topic.StatusChanged, sample(Topic.StatusChanged), meta);
    expect(contractError(() => decodeRecord({ ...record, key: 'another-customer' })).code).toBe(
      ContractErrorCode.KeyMismatch,
    );
    expect(contractError(() => decodeRecord({ ...record, value: null })).code).toBe(
      ContractErrorCode.MalformedPayload,
    );
    expect(contractError(() => decodeRecord({ ...record, headers: {} })).code).toBe(
      ContractErrorCode.MissingHeader,
    );
  });
});
