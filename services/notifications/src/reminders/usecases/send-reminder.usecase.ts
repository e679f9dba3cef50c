import { Inject, Injectable } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { InjectConfig } from '@duemap/config';
import { OutboxWriter } from '@duemap/messaging';
import { Money } from '@duemap/money';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import {
  idempotentFor,
  isPermanentDeliveryError,
  REMINDER_CHANNEL,
  type ChannelReceipt,
  type OutgoingReminder,
  type ReminderChannel,
} from '../../channels/reminder-channel';
import { renderReminder, templateLocale } from '../../channels/reminder-templates';
import { Clock } from '../../common/clock';
import { SERVICE_LOGGER } from '../../common/logger';
import type { NotificationsConfig } from '../../config';
import { CustomerEntity } from '../../customers/customer.entity';
import { InvoiceEntity } from '../../invoices/invoice.entity';
import { invoiceStanding } from '../../invoices/invoice-standing';
import { isHeldByPayment } from '../../invoices/payment-holds';
import type { CancelReason, ReminderStatus } from '../../reminder-policy/plan-reminders';
import { reminderCancelled, reminderSent } from '../reminder-events';
import { ReminderEntity } from '../reminder.entity';
import type { SendReminderPayload } from '../reminder.queue';

/** The reason stored on a reminder whose delivery is not known (status unconfirmed). */
export const UNCONFIRMED_REASON = 'delivery_unconfirmed';

export type SendOutcome =
  | { readonly kind: 'sent'; readonly channelMessageId: string }
  | { readonly kind: 'cancelled'; readonly reason: CancelReason }
  /** Nothing to do: the reminder is already final (or gone). */
  | { readonly kind: 'final'; readonly status: ReminderStatus | 'missing' }
  /** The job was added for another time than the reminder's now (it was re-anchored). */
  | { readonly kind: 'stale'; readonly scheduledFor: Date }
  /** Another attempt holds the reminder's claim: look again once the claim expires. */
  | { readonly kind: 'in_flight'; readonly until: Date }
  /** Whether it went out is not known, and the channel cannot be asked twice: left to a person. */
  | { readonly kind: 'unconfirmed' }
  /** This attempt's claim was taken over (it had expired): that attempt records the outcome. */
  | { readonly kind: 'superseded' };

export interface SendAttempt {
  /** The queue will not try again: a channel failure now cancels the reminder. */
  readonly final: boolean;
}

/** The channel did not take the reminder; it is scheduled again and the job is retried. */
export class ReminderSendFailedError extends Error {
  constructor(
    readonly reminderId: string,
    cause: unknown,
  ) {
    super(
      `reminder ${reminderId} was not delivered: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
    this.name = 'ReminderSendFailedError';
  }
}

class SendTimeoutError extends Error {
  constructor(
    readonly channel: string,
    ms: number,
  ) {
    super(`the ${channel} channel did not answer within ${ms} ms`);
    this.name = 'SendTimeoutError';
  }
}

interface Claim {
  readonly kind: 'claimed';
  readonly reminder: ReminderEntity;
  readonly attemptId: string;
  readonly message: OutgoingReminder;
}

type Delivery =
  | { readonly ok: true; readonly receipt: ChannelReceipt }
  /** `unknown`: the channel gave no answer in time, so the reminder may have reached it. */
  | { readonly ok: false; readonly error: unknown; readonly unknown: boolean };

type Recorded = SendOutcome | { readonly kind: 'retry'; readonly error: unknown };

/**
 * A reminder's time has come. Three steps, so that no lock is held while a channel works:
 * 1. claim — one short transaction holding the reminder's row lock: if it is still scheduled (for
 *    this very time) and its invoice is still open per the projection, mark it `sending` under a
 *    new attempt id and render it; if the invoice is settled, cancel it. Paid and voided events
 *    cancel scheduled reminders under the same row lock, so a reminder claimed after a payment was
 *    applied here is never sent; one already claimed is in flight and left alone by them.
 * 2. send — outside any transaction, bounded by REMINDER_SEND_TIMEOUT.
 * 3. record — one short transaction, only if the reminder still carries this attempt's id: `sent`
 *    with reminder-sent in the outbox (whatever became of the row meanwhile: it went out), or back
 *    to `scheduled` for the queue to retry, or cancelled as delivery_failed on the last try.
 * A claim older than twice the send timeout belongs to an attempt that died before recording
 * (crash, lost connection): on an idempotent channel the reminder is sent again (the receiver
 * recognises the reminder id), on any other it is marked `unconfirmed` — never sent twice blindly.
 */
@Injectable()
export class SendReminderUseCase {
  constructor(
    @Inject(getDataSourceToken()) private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    @Inject(REMINDER_CHANNEL) private readonly channel: ReminderChannel,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: NotificationsConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async execute(payload: SendReminderPayload, attempt: SendAttempt): Promise<SendOutcome> {
    const claim = await this.dataSource.transaction((em) => this.claim(em, payload));
    if (claim.kind !== 'claimed') return claim;
    const delivery = await this.deliver(claim.message, attempt);
    const recorded = await this.dataSource.transaction((em) => this.record(em, claim, delivery, attempt));
    if (recorded.kind === 'retry') throw new ReminderSendFailedError(claim.reminder.id, recorded.error);
    return recorded;
  }

  private async claim(em: EntityManager, payload: SendReminderPayload): Promise<Claim | SendOutcome> {
    const reminder = await em.getRepository(ReminderEntity).findOne({
      where: { id: payload.reminderId },
      lock: { mode: 'pessimistic_write' },
    });
    if (reminder === null) return { kind: 'final', status: 'missing' };
    const now = this.clock.now();
    const orphaned = reminder.status === 'sending';
    if (orphaned) {
      const expires = new Date((reminder.claimedAt?.getTime() ?? 0) + 2 * this.config.REMINDER_SEND_TIMEOUT);
      if (expires > now) return { kind: 'in_flight', until: expires };
      // Its attempt died between send and record: it may have gone out.
      if (!idempotentFor(this.channel, reminder.channel)) {
        return this.markUnconfirmed(em, reminder, 'its claim expired before the outcome was recorded');
      }
    } else if (reminder.status !== 'scheduled') {
      return { kind: 'final', status: reminder.status };
    } else if (reminder.scheduledFor.getTime() !== Date.parse(payload.scheduledFor)) {
      return { kind: 'stale', scheduledFor: reminder.scheduledFor };
    }
    const invoice = await em.getRepository(InvoiceEntity).findOneBy({ invoiceId: reminder.invoiceId });
    // An orphaned claim may have gone out already: not to be called cancelled.
    const settled = (reason: CancelReason, detail: string): Promise<SendOutcome> =>
      orphaned
        ? this.markUnconfirmed(em, reminder, `its claim expired, and since: ${detail}`)
        : this.cancel(em, reminder, reason, detail);
    if (invoice === null) return settled('policy_changed', 'the invoice is not known');
    // The newest state this service can know: a payment that settles the invoice holds the reminder
    // even before invoicing has recorded it (payment-holds.ts).
    const standing = invoiceStanding({ ...invoice, held: await isHeldByPayment(em, invoice.invoiceId) });
    if (!standing.remindable) return settled(standing.reason, standing.detail);
    const customer = await em.getRepository(CustomerEntity).findOneBy({ customerId: reminder.customerId });
    const locale = templateLocale(customer?.locale);
    const rendered = renderReminder(locale, {
      customerName: customer?.name ?? '',
      invoiceNumber: invoice.number,
      openAmount:
        invoice.openMinor !== null && invoice.currency !== null
          ? Money.fromMinor(BigInt(invoice.openMinor), invoice.currency).toJSON()
          : null,
      dueDate: invoice.dueDate ?? '',
      offsetDays: reminder.offsetDays,
    });
    const attemptId = randomUUID();
    await em
      .getRepository(ReminderEntity)
      .update({ id: reminder.id }, { status: 'sending', attemptId, claimedAt: now, updatedAt: now });
    return {
      kind: 'claimed',
      reminder,
      attemptId,
      message: {
        reminderId: reminder.id,
        invoiceId: reminder.invoiceId,
        customerId: reminder.customerId,
        level: reminder.level,
        channel: reminder.channel,
        locale,
        ...rendered,
      },
    };
  }

  /** Hands the message to the channel, giving up after REMINDER_SEND_TIMEOUT even if it does not. */
  private async deliver(message: OutgoingReminder, attempt: SendAttempt): Promise<Delivery> {
    const ms = this.config.REMINDER_SEND_TIMEOUT;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new SendTimeoutError(this.channel.name, ms)), ms);
    const timedOut = new Promise<never>((_, reject) =>
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), {
        once: true,
      }),
    );
    try {
      const receipt = await Promise.race([
        this.channel.send(message, { signal: controller.signal, final: attempt.final }),
        timedOut,
      ]);
      return { ok: true, receipt };
    } catch (error) {
      return { ok: false, error, unknown: controller.signal.aborted };
    } finally {
      clearTimeout(timer);
    }
  }

  private async record(
    em: EntityManager,
    claim: Claim,
    delivery: Delivery,
    attempt: SendAttempt,
  ): Promise<Recorded> {
    const reminders = em.getRepository(ReminderEntity);
    const row = await reminders.findOne({
      where: { id: claim.reminder.id },
      lock: { mode: 'pessimistic_write' },
    });
    if (row === null || row.attemptId !== claim.attemptId) {
      this.logger.warn(
        { reminderId: claim.reminder.id, attemptId: claim.attemptId, delivered: delivery.ok },
        'reminder send outcome not recorded: another attempt took the reminder over',
      );
      return { kind: 'superseded' };
    }
    const now = this.clock.now();
    if (delivery.ok) {
      // It went out: recorded as sent even if the row was marked otherwise meanwhile.
      const { channelMessageId } = delivery.receipt;
      await reminders.update(
        { id: row.id },
        { status: 'sent', sentAt: now, channelMessageId, reason: null, updatedAt: now },
      );
      await this.outbox.append(em, reminderSent(row, channelMessageId, now));
      return { kind: 'sent', channelMessageId };
    }
    // Settled meanwhile (marked unconfirmed after this claim expired): nothing more to know.
    if (row.status !== 'sending') return { kind: 'final', status: row.status };
    const why = delivery.error instanceof Error ? delivery.error.message : String(delivery.error);
    if (delivery.unknown && !idempotentFor(this.channel, row.channel)) {
      return this.markUnconfirmed(em, row, why);
    }
    // A hard failure (an SMTP 5xx, no address) is not tried again: the queue's attempts are for
    // failures that pass.
    if (attempt.final || isPermanentDeliveryError(delivery.error)) {
      return this.cancel(em, row, 'delivery_failed', `the ${this.channel.name} channel refused it: ${why}`);
    }
    await reminders.update(
      { id: row.id },
      { status: 'scheduled', attemptId: null, claimedAt: null, updatedAt: now },
    );
    return { kind: 'retry', error: delivery.error };
  }

  private async markUnconfirmed(
    em: EntityManager,
    reminder: ReminderEntity,
    detail: string,
  ): Promise<SendOutcome> {
    const now = this.clock.now();
    await em
      .getRepository(ReminderEntity)
      .update({ id: reminder.id }, { status: 'unconfirmed', reason: UNCONFIRMED_REASON, updatedAt: now });
    this.logger.warn(
      { reminderId: reminder.id, invoiceId: reminder.invoiceId, channel: this.channel.name, detail },
      'reminder delivery unconfirmed: it may or may not have reached the customer',
    );
    return { kind: 'unconfirmed' };
  }

  private async cancel(
    em: EntityManager,
    reminder: ReminderEntity,
    reason: CancelReason,
    detail: string,
  ): Promise<SendOutcome> {
    const now = this.clock.now();
    await em
      .getRepository(ReminderEntity)
      .update({ id: reminder.id }, { status: 'cancelled', reason, cancelledAt: now, updatedAt: now });
    await this.outbox.append(em, reminderCancelled(reminder, reason, detail, now));
    return { kind: 'cancelled', reason };
  }
}
