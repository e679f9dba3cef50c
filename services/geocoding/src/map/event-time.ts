import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import type { EventPosition } from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';

/** An event's occurred_at as a Date; the codec guarantees it is set, so a missing one is fatal. */
export function occurredAtOf(event: { customerId: string; occurredAt?: Timestamp }): Date {
  if (!event.occurredAt) throw new FatalEventError(`event for ${event.customerId} has no occurred_at`);
  return timestampDate(event.occurredAt);
}

/** Where an event of the customers service stands in the customer's history. */
export function customerPositionOf(event: {
  customerId: string;
  customerVersion: bigint;
  occurredAt?: Timestamp;
}): EventPosition {
  return { version: event.customerVersion, occurredAt: occurredAtOf(event) };
}
