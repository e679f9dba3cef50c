import { Inject, Injectable } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { OutboxWriter } from '@duemap/messaging';
import { Money } from '@duemap/money';
import type { DataSource, EntityManager } from 'typeorm';
import { REMINDER_CHANNEL, type ReminderChannel } from '../../channels/reminder-channel';
import { renderReminder, templateLocale } from '../../channels/reminder-templates';
import { Clock } from '../../common/clock';
import { CustomerEntity } from '../../customers/customer.entity';
import { InvoiceEntity } from '../../invoices/invoice.entity';
import { invoiceStanding } from '../../invoices/invoice-standing';
import type { CancelReason, ReminderStatus } from '../../reminder-policy/plan-reminders';
import { reminderCancelled, reminderSent } from '../reminder-events';
import { ReminderEntity } from '../reminder.entity';
import type { SendReminderPayload } from '../reminder.queue';

export type SendOutcome =
  | { readonly kind: 'sent'; readonly channelMessageId: string }
  | { readonly kind: 'cancelled'; readonly reason: CancelReason }
  /** Nothing to do: the reminder is already final (or gone). */
  | { readonly kind: 'final'; readonly status: ReminderStatus | 'missing' }
  /** The job was added for another time than the reminder's now (it was re-anchored). */
  | { readonly kind: 'stale'; readonly scheduledFor: Date };

export interface SendAttempt {
  /** The queue will not try again: a channel failure now cancels the reminder. */
  readonly final: boolean;
}

/**
 * A reminder's time has come. In one transaction holding the reminder's row lock: if it is still
 * scheduled (for this very time) and its invoice is still open per the projection, hand it to the
 * channel and mark it sent; if the invoice is settled, cancel it. Paid and voided events cancel
 * under the same row lock, so a reminder is never sent once its invoice's payment was applied
 * here, whatever the order in which the job and the event arrive.
 */
@Injectable()
export class SendReminderUseCase {
  constructor(
    @Inject(getDataSourceToken()) private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    @Inject(REMINDER_CHANNEL) private readonly channel: ReminderChannel,
    private readonly clock: Clock,
  ) {}

  execute(payload: SendReminderPayload, attempt: SendAttempt): Promise<SendOutcome> {
    return this.dataSource.transaction((em) => this.sendIn(em, payload, attempt));
  }

  private async sendIn(
    em: EntityManager,
    payload: SendReminderPayload,
    attempt: SendAttempt,
  ): Promise<SendOutcome> {
    const reminders = em.getRepository(ReminderEntity);
    const reminder = await reminders.findOne({
      where: { id: payload.reminderId },
      lock: { mode: 'pessimistic_write' },
    });
    if (reminder === null) return { kind: 'final', status: 'missing' };
    if (reminder.status !== 'scheduled') return { kind: 'final', status: reminder.status };
    if (reminder.scheduledFor.getTime() !== Date.parse(payload.scheduledFor)) {
      return { kind: 'stale', scheduledFor: reminder.scheduledFor };
    }
    const invoice = await em.getRepository(InvoiceEntity).findOneBy({ invoiceId: reminder.invoiceId });
    if (invoice === null) return this.cancel(em, reminder, 'policy_changed', 'the invoice is not known');
    const standing = invoiceStanding(invoice);
    if (!standing.remindable) return this.cancel(em, reminder, standing.reason, standing.detail);
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
    let channelMessageId: string;
    try {
      ({ channelMessageId } = await this.channel.send({
        reminderId: reminder.id,
        invoiceId: reminder.invoiceId,
        customerId: reminder.customerId,
        level: reminder.level,
        locale,
        ...rendered,
      }));
    } catch (err) {
      if (!attempt.final) throw err;
      const why = err instanceof Error ? err.message : String(err);
      return this.cancel(
        em,
        reminder,
        'delivery_failed',
        `the ${this.channel.name} channel refused it: ${why}`,
      );
    }
    const now = this.clock.now();
    await reminders.update(
      { id: reminder.id },
      { status: 'sent', sentAt: now, channelMessageId, updatedAt: now },
    );
    await this.outbox.append(em, reminderSent(reminder, channelMessageId, now));
    return { kind: 'sent', channelMessageId };
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
