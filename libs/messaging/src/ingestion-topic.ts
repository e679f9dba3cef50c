import { createHash } from 'node:crypto';
import { ContractError, ContractErrorCode } from '@duemap/events';
import Ajv, { type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { IHeaders } from 'kafkajs';
import type { ConsumedRecord, RawRecord } from './consumer/consumed-record';

/**
 * What a handler of an ingestion topic learns from a record's headers. Outside systems write these
 * topics with whatever client they have, so no header is required (unlike Duemap's event topics).
 */
export interface IngestionHeaders {
  /** The inbox key (lower-case UUID): see `eventIdSource`. */
  readonly eventId: string;
  /**
   * `header`: the record's `event-id` header, a UUID the producer keeps across its retries, so a
   * record it sends twice is applied once. `offset`: there was no such header, and the id is derived
   * from topic, partition and offset, so only a redelivery of the same record is recognised; a
   * record sent twice is two records, and the handler deduplicates by its business keys.
   */
  readonly eventIdSource: 'header' | 'offset';
  /** The `producer` header, when the writer named itself. */
  readonly producer?: string;
}

/** A topic of JSON records validated against a published JSON Schema; handlers get `T`. */
export interface JsonIngestionTopic<T> {
  readonly name: string;
  readonly encoding: 'json';
  /** The schema's `$id`, for logs and the DLQ reason. */
  readonly schemaId: string;
  readonly decode: (record: RawRecord) => ConsumedRecord<T, IngestionHeaders>;
}

/** JSON Schema dialects the validator speaks; a schema names its own with `$schema`. */
const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema';
const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

/**
 * Fixed namespace of the ids derived from a record's position (RFC 9562 name-based, SHA-1: version
 * 5). Never change it: inbox rows written under the old one would no longer match their records.
 */
const OFFSET_ID_NAMESPACE = Buffer.from('aa59159346b2438ea5e801d8447ff70a', 'hex');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PRODUCER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const JSON_CONTENT_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;.*)?$/i;

/**
 * The RFC 9562 UUID version 5 of `topic/partition/offset` in OFFSET_ID_NAMESPACE: the same record delivered again gets the same id,
 * so its inbox row makes the redelivery a no-op. (A topic deleted and created again restarts its
 * offsets; its records would meet the old inbox rows until the inbox purge drops them, so such a
 * topic is recreated only with a new consumer group or an emptied inbox.)
 */
export function offsetEventId(topic: string, partition: number, offset: string): string {
  const hash = createHash('sha1')
    .update(OFFSET_ID_NAMESPACE)
    .update(`${topic}/${partition}/${offset}`, 'utf8')
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A JSON ingestion topic for `subscribe` / `subscribeBatch`: records are parsed as UTF-8 JSON and
 * validated against `schema` (JSON Schema 2020-12 or draft-07, with formats) before the handler
 * sees them, then go through the consumer like any event (one transaction with the inbox row,
 * batching, retries). A record that is not JSON or breaks the schema is a ContractError naming the
 * field (the JSON pointer of ajv's instancePath), so it goes to `<topic>.dlq` at once and never holds
 * the partition up. The schema is compiled here, in strict mode: a schema with a typo fails at boot.
 *
 * `T` is the record type the schema describes; keeping the two in step is the schema owner's job
 * (libs/events checks its published schemas against their examples).
 */
export function ingestionTopic<T>(name: string, schema: AnySchemaObject): JsonIngestionTopic<T> {
  const validate = compile<T>(schema);
  const schemaId = schema.$id ?? name;
  return {
    name,
    encoding: 'json',
    schemaId,
    decode: (record) => decodeIngestionRecord(record, validate),
  };
}

/** Whether a subscription's topic is a JSON ingestion topic (else a protobuf EventTopic). */
export function isIngestionTopic(topic: object): topic is JsonIngestionTopic<unknown> {
  return (topic as Partial<JsonIngestionTopic<unknown>>).encoding === 'json';
}

function compile<T>(schema: AnySchemaObject): ValidateFunction<T> {
  const dialect = schema.$schema ?? DRAFT_2020_12;
  // One validator per topic: schemas of different topics never share (or clash on) an $id.
  // Strict, except that `required` may name properties defined beside it rather than in it: an
  // anyOf of required alternatives ("bankTransactionId or endToEndId") is how a schema says "one of".
  const options = { strict: true, strictRequired: false, allErrors: false, verbose: true } as const;
  let ajv: Ajv;
  if (dialect === DRAFT_2020_12) ajv = new Ajv2020(options);
  else if (dialect === DRAFT_07) ajv = new Ajv(options);
  else
    throw new Error(`ingestion schema ${schema.$id ?? ''}: $schema must be ${DRAFT_2020_12} or ${DRAFT_07}`);
  addFormats(ajv);
  return ajv.compile<T>(schema);
}

function decodeIngestionRecord<T>(
  record: RawRecord,
  validate: ValidateFunction<T>,
): ConsumedRecord<T, IngestionHeaders> {
  const { topic } = record;
  const malformed = (message: string, field?: string): ContractError =>
    new ContractError(ContractErrorCode.MalformedPayload, `${topic}: ${message}`, {
      topic,
      ...(field === undefined ? {} : { field }),
    });

  const contentType = firstHeader(record.headers, 'content-type');
  if (contentType !== undefined && !JSON_CONTENT_TYPE.test(contentType)) {
    throw new ContractError(
      ContractErrorCode.UnsupportedContentType,
      `${topic}: header "content-type" is "${truncate(contentType)}"; the topic carries application/json`,
      { topic, header: 'content-type' },
    );
  }
  if (record.value === null || record.value.length === 0) {
    throw malformed('record has no value (a tombstone): expected a JSON object');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(record.value);
  } catch {
    throw malformed('value is not UTF-8 text');
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw malformed(`value is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!validate(data)) {
    const { field, problem } = describeSchemaError(validate.errors ?? []);
    throw malformed(`${field === '' ? 'the record' : field} ${problem}`, field === '' ? '/' : field);
  }

  const header = firstHeader(record.headers, 'event-id');
  const producer = firstHeader(record.headers, 'producer');
  const fromHeader = header !== undefined && UUID.test(header.trim());
  const headers: IngestionHeaders = {
    eventId: fromHeader ? header.trim().toLowerCase() : offsetEventId(topic, record.partition, record.offset),
    eventIdSource: fromHeader ? 'header' : 'offset',
    ...(producer !== undefined && PRODUCER.test(producer) ? { producer } : {}),
  };
  return { eventId: headers.eventId, headers, event: data };
}

/**
 * The field at fault (a JSON pointer, '' for the record itself) and what is wrong with it, from the
 * first error ajv reports. ajv puts a missing or unexpected property's name in `params`, not in
 * instancePath, so it is appended here: `/amount/currency is required`, not `/amount must have…`.
 */
export function describeSchemaError(errors: readonly ErrorObject[]): { field: string; problem: string } {
  const first = errors[0];
  if (first === undefined) return { field: '', problem: 'does not match the schema' };
  const params = first.params as Record<string, unknown>;
  const at = (property: unknown): string => `${first.instancePath}/${escapePointer(String(property))}`;
  switch (first.keyword) {
    case 'required': {
      // An anyOf of required properties ("bankTransactionId or endToEndId"): its branches fail
      // first, each naming one property; the anyOf error after them says they were alternatives.
      const alternatives = alternativesOf(errors, first);
      if (alternatives.length > 1) {
        return {
          field: at(alternatives[0]),
          problem: `is required, or one of ${alternatives.map((p) => at(p)).join(', ')}`,
        };
      }
      return { field: at(params.missingProperty), problem: 'is required' };
    }
    case 'additionalProperties':
      return { field: at(params.additionalProperty), problem: 'is not a field of the schema' };
    default: {
      const got = 'data' in first ? describeValue(first.data) : '';
      return { field: first.instancePath, problem: `${first.message ?? 'is invalid'}${got}` };
    }
  }
}

/** The properties of the failed anyOf whose branches were `required` errors at the same place. */
function alternativesOf(errors: readonly ErrorObject[], first: ErrorObject): string[] {
  const anyOf = errors.find(
    (e) =>
      e.keyword === 'anyOf' &&
      e.instancePath === first.instancePath &&
      first.schemaPath.startsWith(`${e.schemaPath}/`),
  );
  if (anyOf === undefined) return [];
  return errors
    .filter(
      (e) =>
        e.keyword === 'required' &&
        e.instancePath === first.instancePath &&
        e.schemaPath.startsWith(`${anyOf.schemaPath}/`),
    )
    .map((e) => String((e.params as Record<string, unknown>).missingProperty));
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return ` (got "${truncate(value)}")`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null)
    return ` (got ${String(value)})`;
  if (Array.isArray(value)) return ' (got an array)';
  return typeof value === 'object' ? ' (got an object)' : '';
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function firstHeader(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

function truncate(value: string): string {
  return value.length > 80 ? `${value.slice(0, 80)}…` : value;
}
