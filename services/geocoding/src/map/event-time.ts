import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import { FatalEventError } from '@duemap/messaging';

/** An event's occurred_at as a Date; the codec guarantees it is set, so a missing one is fatal. */
export function occurredAtOf(event: { customerId: string; occurredAt?: Timestamp }): Date {
  if (!event.occurredAt) throw new FatalEventError(`event for ${event.customerId} has no occurred_at`);
  return timestampDate(event.occurredAt);
}
