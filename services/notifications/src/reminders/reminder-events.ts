import type { DescMessage } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { assertNever } from '@duemap/http';
import {
  CancellationReason,
  ReminderChannel,
  Topic,
  type EventInitOf,
  type SchemaOf,
  type TopicName,
} from '@duemap/events';
import { eventTopic, type OutboxEvent } from '@duemap/messaging';
import type { CancelReason } from '../reminder-policy/plan-reminders';
import type { ReminderChannelName, ReminderEntity } from './reminder.entity';

type ReminderFacts = Pick<
  ReminderEntity,
  'id' | 'invoiceId' | 'customerId' | 'level' | 'offsetDays' | 'scheduledFor' | 'channel' | 'policyId'
>;

export function channelOf(channel: ReminderChannelName): ReminderChannel {
  switch (channel) {
    case 'email':
      return ReminderChannel.EMAIL;
    case 'sms':
      return ReminderChannel.SMS;
    case 'webhook':
      return ReminderChannel.WEBHOOK;
    default:
      return assertNever(channel);
  }
}

export function cancellationReasonOf(reason: CancelReason): CancellationReason {
  switch (reason) {
    case 'invoice_paid':
      return CancellationReason.INVOICE_PAID;
    case 'invoice_voided':
      return CancellationReason.INVOICE_VOIDED;
    case 'due_date_changed':
      return CancellationReason.DUE_DATE_CHANGED;
    case 'policy_changed':
      return CancellationReason.POLICY_CHANGED;
    case 'delivery_failed':
      return CancellationReason.DELIVERY_FAILED;
    default:
      return assertNever(reason);
  }
}

/**
 * An outbox entry for `topic`, the event checked against the topic's message type. The header
 * occurred-at must equal the payload's occurred_at, so both come from one `at`.
 */
function outboxEvent<T extends TopicName>(
  topic: T,
  key: string,
  at: Date,
  event: Omit<EventInitOf<T>, 'customerId' | 'occurredAt'>,
): OutboxEvent<DescMessage> {
  const typed: OutboxEvent<SchemaOf<T>> = {
    topic: eventTopic(topic),
    key,
    occurredAt: at,
    event: { ...event, customerId: key, occurredAt: timestampFromDate(at) } as EventInitOf<T>,
  };
  return typed;
}

export function reminderScheduled(r: ReminderFacts, at: Date): OutboxEvent<DescMessage> {
  return outboxEvent(Topic.ReminderScheduled, r.customerId, at, {
    reminderId: r.id,
    invoiceId: r.invoiceId,
    level: r.level,
    daysFromDue: r.offsetDays,
    scheduledFor: timestampFromDate(r.scheduledFor),
    channel: channelOf(r.channel),
    policyId: r.policyId,
  });
}

export function reminderCancelled(
  r: Pick<ReminderEntity, 'id' | 'invoiceId' | 'customerId'>,
  reason: CancelReason,
  detail: string,
  at: Date,
): OutboxEvent<DescMessage> {
  return outboxEvent(Topic.ReminderCancelled, r.customerId, at, {
    reminderId: r.id,
    invoiceId: r.invoiceId,
    reason: cancellationReasonOf(reason),
    detail,
  });
}

export function reminderSent(
  r: Pick<ReminderEntity, 'id' | 'invoiceId' | 'customerId' | 'level' | 'channel'>,
  channelMessageId: string,
  at: Date,
): OutboxEvent<DescMessage> {
  return outboxEvent(Topic.ReminderSent, r.customerId, at, {
    reminderId: r.id,
    invoiceId: r.invoiceId,
    level: r.level,
    channel: channelOf(r.channel),
    channelMessageId,
  });
}
