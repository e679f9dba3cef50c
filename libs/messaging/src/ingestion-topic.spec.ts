import { bankPaymentsSchema, isContractError, type BankPaymentRecord } from '@duemap/events';
import type { RawRecord } from './consumer/consumed-record';
import { classifyError } from './consumer/consumer.errors';
import { ingestionTopic, isIngestionTopic, offsetEventId } from './ingestion-topic';

const TOPIC = 'bank.payments.v1';
const topic = ingestionTopic<BankPaymentRecord>(TOPIC, bankPaymentsSchema);

const valid: BankPaymentRecord = {
  bankTransactionId: 'BTX-1',
  account: { number: '4000023009200123456', currency: 'CNY' },
  bookingDate: '2026-01-10',
  amount: { amount: '1200.00', currency: 'CNY' },
  payer: { name: '深圳华联电子有限公司' },
  remittance: '货款 INV-2026-004217',
};

function raw(value: unknown, extra: Partial<RawRecord> = {}): RawRecord {
  return {
    topic: TOPIC,
    partition: 2,
    offset: '41',
    value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    ...extra,
  };
}

/** The ContractError a record is refused with (the test fails if it is accepted). */
function refusal(record: RawRecord): { message: string; field: string | undefined; code: string } {
  try {
    topic.decode(record);
  } catch (err) {
    if (!isContractError(err)) throw err;
    // Fatal: the consumer dead-letters it at once instead of retrying.
    expect(classifyError(err)).toBe('fatal');
    return { message: err.message, field: err.details.field, code: err.code };
  }
  throw new Error('the record was accepted');
}

describe('ingestionTopic (JSON records against a JSON Schema)', () => {
  it('hands a valid record to the handler as it was written, typed', () => {
    const decoded = topic.decode(raw(valid));
    expect(decoded.event).toEqual(valid);
    expect(decoded.event.amount.amount).toBe('1200.00');
    expect(isIngestionTopic(topic)).toBe(true);
    expect(topic.schemaId).toBe('https://duemap.dev/schemas/bank.payments.v1.schema.json');
  });

  it('takes the event-id header as the inbox key when it is a UUID (any case), and the producer header', () => {
    const decoded = topic.decode(
      raw(valid, {
        headers: {
          'event-id': Buffer.from('9F0C5E1A-7B3D-4C2E-8A1F-0123456789AB'),
          producer: 'icbc-connector',
        },
      }),
    );
    expect(decoded.eventId).toBe('9f0c5e1a-7b3d-4c2e-8a1f-0123456789ab');
    expect(decoded.headers).toEqual({
      eventId: '9f0c5e1a-7b3d-4c2e-8a1f-0123456789ab',
      eventIdSource: 'header',
      producer: 'icbc-connector',
    });
  });

  it('derives a stable UUID from topic, partition and offset when there is no usable event-id', () => {
    const first = topic.decode(raw(valid));
    const again = topic.decode(raw({ ...valid, remittance: 'redelivered' }));
    const notUuid = topic.decode(raw(valid, { headers: { 'event-id': 'bank-ref-17' } }));
    expect(first.headers.eventIdSource).toBe('offset');
    expect(first.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // The same position is the same record delivered again, whatever it holds.
    expect(again.eventId).toBe(first.eventId);
    expect(notUuid.eventId).toBe(first.eventId);
    // Pinned: a change of the derivation would make every redelivery after an upgrade look new.
    expect(offsetEventId(TOPIC, 2, '41')).toBe(first.eventId);
    // RFC 9562 version 5, as any implementation computes it: Python's
    // uuid.uuid5(UUID('aa591593-46b2-438e-a5e8-01d8447ff70a'), 'bank.payments.v1/2/41').
    expect(offsetEventId(TOPIC, 2, '41')).toBe('a757df38-608b-59e8-af1a-bc648f3e1dc2');
    expect(offsetEventId(TOPIC, 2, '42')).not.toBe(first.eventId);
    expect(offsetEventId(TOPIC, 1, '41')).not.toBe(first.eventId);
    expect(offsetEventId('erp.invoices.v1', 2, '41')).not.toBe(first.eventId);
  });

  it('refuses a value that is not JSON, or not UTF-8, or absent', () => {
    expect(refusal(raw('{"bankTransactionId": "BTX-1", '))).toMatchObject({
      code: 'MALFORMED_PAYLOAD',
      message: expect.stringMatching(/^bank\.payments\.v1: value is not JSON: /),
    });
    expect(refusal(raw('', { value: Buffer.from([0x7b, 0xff, 0x7d]) })).message).toBe(
      'bank.payments.v1: value is not UTF-8 text',
    );
    expect(refusal(raw('', { value: null })).message).toMatch(/no value/);
  });

  it('names the field a schema error is about (ajv instancePath), with the value it got', () => {
    const badAmount = refusal(raw({ ...valid, amount: { amount: '1,200.00', currency: 'CNY' } }));
    expect(badAmount.field).toBe('/amount/amount');
    expect(badAmount.message).toBe(
      'bank.payments.v1: /amount/amount must match pattern "^(0|[1-9][0-9]{0,17})(\\.[0-9]{1,6})?$" (got "1,200.00")',
    );

    const missing = refusal(raw({ ...valid, amount: { amount: '1200.00' } }));
    expect(missing).toMatchObject({
      field: '/amount/currency',
      message: 'bank.payments.v1: /amount/currency is required',
    });

    const { bankTransactionId: _dropped, ...noIds } = valid;
    const noId = refusal(raw(noIds));
    expect(noId.field).toBe('/bankTransactionId');
    expect(noId.message).toBe(
      'bank.payments.v1: /bankTransactionId is required, or one of /bankTransactionId, /endToEndId',
    );

    expect(refusal(raw({ ...valid, bookingDate: '2026-02-30' }))).toMatchObject({
      field: '/bookingDate',
      message: 'bank.payments.v1: /bookingDate must match format "date" (got "2026-02-30")',
    });
    expect(refusal(raw({ ...valid, payer: { nmae: 'typo' } }))).toMatchObject({
      field: '/payer/nmae',
      message: 'bank.payments.v1: /payer/nmae is not a field of the schema',
    });
    expect(refusal(raw({ ...valid, direction: 'in' })).field).toBe('/direction');
    expect(refusal(raw('[1, 2]'))).toMatchObject({
      field: '/',
      message: 'bank.payments.v1: the record must be object (got an array)',
    });
  });

  it('refuses a record whose content-type says it is not JSON', () => {
    const refused = refusal(raw(valid, { headers: { 'content-type': 'application/x-protobuf' } }));
    expect(refused.code).toBe('UNSUPPORTED_CONTENT_TYPE');
    expect(
      topic.decode(raw(valid, { headers: { 'content-type': 'application/json; charset=utf-8' } })).event,
    ).toEqual(valid);
  });

  it('refuses at boot a schema ajv cannot compile strictly', () => {
    expect(() =>
      ingestionTopic('erp.invoices.v1', {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        properties: { total: { type: 'string', minimun: 1 } },
      }),
    ).toThrow(/minimun/);
    expect(() =>
      ingestionTopic('erp.invoices.v1', { $schema: 'http://json-schema.org/draft-04/schema#' }),
    ).toThrow(/\$schema must be/);
  });
});
