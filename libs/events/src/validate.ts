import { isMessage, type DescMessage, type Message } from '@bufbuild/protobuf';
import {
  isReflectList,
  isReflectMap,
  isReflectMessage,
  reflect,
  type ReflectMessage,
} from '@bufbuild/protobuf/reflect';
import { TimestampSchema, type Timestamp } from '@bufbuild/protobuf/wkt';
import { isValidCalendarDate } from './calendar-date';
import { CalendarDateSchema } from './gen/duemap/common/v1/calendar_date_pb';
import { MoneySchema } from './gen/duemap/common/v1/money_pb';

// Format rules every event obeys, on top of what the protobuf wire format can express.
// They are shape rules of the contract (what a Money or an id looks like), never business
// rules (whether a payment's allocations add up is the payments service's concern).
// Protobuf binary decoding is permissive: bytes of another message or plain noise often
// parse "successfully". Checking these on decode is what makes garbage reliably fail.

/** `Money.amount`: decimal string, optional minus, no exponent, no grouping, no leading zeros. */
export const MONEY_AMOUNT_PATTERN = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/** `Money.currency`: ISO 4217 alphabetic code. Membership in the ISO list is libs/money's job. */
export const CURRENCY_CODE_PATTERN = /^[A-Z]{3}$/;

/**
 * Duemap ids (customer_id is the Kafka key) are opaque ASCII tokens, UUIDs in practice.
 * Restricting them to URL- and log-safe characters costs nothing and lets a decoder tell
 * a real key from bytes that happened to parse.
 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** google.protobuf.Timestamp's documented range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z. */
const MIN_TIMESTAMP_SECONDS = -62_135_596_800n;
const MAX_TIMESTAMP_SECONDS = 253_402_300_799n;

/**
 * occurred_at is when something happened inside Duemap, which did not exist before 2000.
 * An earlier value is a producer that forgot to set it (0 = 1970) or a decoded accident.
 */
export const EARLIEST_OCCURRED_AT_SECONDS = 946_684_800n; // 2000-01-01T00:00:00Z

export interface ContractViolation {
  /** Dotted protobuf field path using .proto names, e.g. `allocations[1].applied.amount`. */
  readonly field: string;
  readonly problem: string;
}

/**
 * Every rule an event breaks, empty when it honours the contract. Expects a top-level event
 * (a message from TOPICS): those all start with customer_id and occurred_at.
 */
export function findContractViolations(schema: DescMessage, event: Message): ContractViolation[] {
  const violations: ContractViolation[] = [];
  const root = reflect(schema, event);
  checkEventKeyFields(root, violations);
  walk(root, '', violations);
  return violations;
}

function checkEventKeyFields(root: ReflectMessage, out: ContractViolation[]): void {
  const customerId = root.desc.field['customerId'];
  const occurredAt = root.desc.field['occurredAt'];
  if (customerId === undefined || occurredAt === undefined) {
    out.push({
      field: '',
      problem: `${root.desc.typeName} is not an event: it lacks customer_id or occurred_at`,
    });
    return;
  }
  const id = root.get(customerId);
  if (typeof id !== 'string' || id === '') {
    out.push({ field: 'customer_id', problem: 'is empty; every event names its customer (the Kafka key)' });
  } else if (!ID_PATTERN.test(id)) {
    out.push({ field: 'customer_id', problem: `is not a Duemap id (${ID_PATTERN.source})` });
  }
  if (!root.isSet(occurredAt)) {
    out.push({ field: 'occurred_at', problem: 'is not set' });
    return;
  }
  const ts = root.get(occurredAt);
  if (
    isReflectMessage(ts) &&
    isMessage(ts.message, TimestampSchema) &&
    ts.message.seconds < EARLIEST_OCCURRED_AT_SECONDS
  ) {
    out.push({ field: 'occurred_at', problem: 'is before 2000-01-01T00:00:00Z (unset or garbage)' });
  }
}

function walk(msg: ReflectMessage, path: string, out: ContractViolation[]): void {
  checkWellKnownShape(msg, path, out);
  for (const field of msg.fields) {
    const fieldPath = path === '' ? field.name : `${path}.${field.name}`;
    if (field.fieldKind === 'message') {
      if (!msg.isSet(field)) continue;
      const value = msg.get(field);
      if (isReflectMessage(value)) walk(value, fieldPath, out);
    } else if (field.fieldKind === 'list' && field.listKind === 'message') {
      const list = msg.get(field);
      if (!isReflectList(list)) continue;
      let index = 0;
      for (const item of list) {
        if (isReflectMessage(item)) walk(item, `${fieldPath}[${index}]`, out);
        index++;
      }
    } else if (field.fieldKind === 'map' && field.mapKind === 'message') {
      const map = msg.get(field);
      if (!isReflectMap(map)) continue;
      for (const [key, item] of map) {
        if (isReflectMessage(item)) walk(item, `${fieldPath}[${String(key)}]`, out);
      }
    }
  }
}

function checkWellKnownShape({ message }: ReflectMessage, path: string, out: ContractViolation[]): void {
  if (isMessage(message, MoneySchema)) {
    const { amount, currency } = message;
    if (!MONEY_AMOUNT_PATTERN.test(amount)) {
      out.push({ field: `${path}.amount`, problem: `"${truncate(amount)}" is not a decimal string` });
    }
    if (!CURRENCY_CODE_PATTERN.test(currency)) {
      out.push({ field: `${path}.currency`, problem: `"${truncate(currency)}" is not an ISO 4217 code` });
    }
  } else if (isMessage(message, CalendarDateSchema)) {
    const { year, month, day } = message;
    if (!isValidCalendarDate(year, month, day)) {
      out.push({ field: path, problem: `${year}-${month}-${day} is not a calendar date` });
    }
  } else if (isMessage(message, TimestampSchema)) {
    const problem = timestampProblem(message);
    if (problem !== undefined) out.push({ field: path, problem });
  }
}

function timestampProblem(ts: Timestamp): string | undefined {
  if (ts.seconds < MIN_TIMESTAMP_SECONDS || ts.seconds > MAX_TIMESTAMP_SECONDS) {
    return 'is outside 0001-01-01..9999-12-31';
  }
  if (!Number.isInteger(ts.nanos) || ts.nanos < 0 || ts.nanos > 999_999_999) {
    return 'has nanos outside 0..999999999';
  }
  return undefined;
}

function truncate(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}
