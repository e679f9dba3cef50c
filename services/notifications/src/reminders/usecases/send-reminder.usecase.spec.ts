import { CancellationReason, ReminderChannel as ContractChannel } from '@duemap/events';
import type { OutboxWriter } from '@duemap/messaging';
import type { DataSource, EntityManager } from 'typeorm';
import type { ReminderChannel } from '../../channels/reminder-channel';
import type { Clock } from '../../common/clock';
import { CustomerEntity } from '../../customers/customer.entity';
import { InvoiceEntity } from '../../invoices/invoice.entity';
import { ReminderEntity } from '../reminder.entity';
import { SendReminderUseCase } from './send-reminder.usecase';

const NOW = new Date('2025-03-28T01:00:05Z');
const SCHEDULED_FOR = new Date('2025-03-28T01:00:00Z');

function reminder(over: Partial<ReminderEntity> = {}): ReminderEntity {
  return Object.assign(new ReminderEntity(), {
    id: '7d1f3c1e-0000-4000-8000-000000000001',
    invoiceId: 'inv-1',
    customerId: 'c-1',
    policyId: 'default',
    level: 1,
    offsetDays: -3,
    scheduledFor: SCHEDULED_FOR,
    status: 'scheduled',
    channel: 'email',
    reason: null,
    ...over,
  });
}

function invoice(over: Partial<InvoiceEntity> = {}): InvoiceEntity {
  return Object.assign(new InvoiceEntity(), {
    invoiceId: 'inv-1',
    customerId: 'c-1',
    number: 'INV-1',
    kind: 'invoice',
    status: 'open',
    dueDate: '2025-03-31',
    openMinor: '113000',
    currency: 'CNY',
    ...over,
  });
}

function setup(rows: { reminder: ReminderEntity | null; invoice: InvoiceEntity | null; locale?: string }) {
  const reminders = { findOne: jest.fn().mockResolvedValue(rows.reminder), update: jest.fn() };
  const invoices = { findOneBy: jest.fn().mockResolvedValue(rows.invoice) };
  const customers = {
    findOneBy: jest.fn().mockResolvedValue(
      Object.assign(new CustomerEntity(), {
        customerId: 'c-1',
        name: 'ACME',
        locale: rows.locale ?? 'zh-CN',
      }),
    ),
  };
  const em = {
    getRepository: (entity: unknown) =>
      entity === ReminderEntity ? reminders : entity === InvoiceEntity ? invoices : customers,
  } as unknown as EntityManager;
  const dataSource = {
    transaction: jest.fn((work: (em: EntityManager) => unknown) => work(em)),
  } as unknown as DataSource;
  const outbox = { append: jest.fn().mockResolvedValue('event-id') } as unknown as jest.Mocked<OutboxWriter>;
  const channel: jest.Mocked<ReminderChannel> = {
    name: 'test',
    send: jest.fn().mockResolvedValue({ channelMessageId: 'msg-1' }),
  };
  const clock: Clock = { now: () => NOW };
  const useCase = new SendReminderUseCase(dataSource, outbox, channel, clock);
  const payload = { reminderId: rows.reminder?.id ?? 'x', scheduledFor: SCHEDULED_FOR.toISOString() };
  return { useCase, reminders, outbox, channel, payload };
}

type AppendedEvent = { topic: { name: string }; event: Record<string, unknown> };
const appended = (outbox: jest.Mocked<OutboxWriter>): AppendedEvent =>
  (outbox.append.mock.calls[0] as unknown as [unknown, AppendedEvent])[1];

describe('SendReminderUseCase', () => {
  it('sends a scheduled reminder of an open invoice in the customer language, marks it sent, emits reminder-sent', async () => {
    const { useCase, reminders, outbox, channel, payload } = setup({
      reminder: reminder(),
      invoice: invoice(),
    });
    await expect(useCase.execute(payload, { final: false })).resolves.toEqual({
      kind: 'sent',
      channelMessageId: 'msg-1',
    });
    expect(reminders.findOne).toHaveBeenCalledWith(
      expect.objectContaining({ lock: { mode: 'pessimistic_write' } }),
    );
    expect(channel.send).toHaveBeenCalledWith(
      expect.objectContaining({ locale: 'zh-CN', subject: '付款提醒：发票 INV-1 将于 2025年3月31日 到期' }),
    );
    expect(channel.send.mock.calls[0]![0].body).toContain('¥1,130.00');
    expect(reminders.update).toHaveBeenCalledWith(
      { id: payload.reminderId },
      expect.objectContaining({ status: 'sent', sentAt: NOW, channelMessageId: 'msg-1' }),
    );
    const sent = appended(outbox);
    expect(sent.topic.name).toBe('notifications.reminder-sent.v1');
    expect(sent.event).toMatchObject({
      customerId: 'c-1',
      reminderId: payload.reminderId,
      invoiceId: 'inv-1',
      level: 1,
      channel: ContractChannel.EMAIL,
      channelMessageId: 'msg-1',
    });
  });

  it.each([
    ['paid', { status: 'paid' as const }, 'invoice_paid', CancellationReason.INVOICE_PAID],
    ['voided', { status: 'void' as const }, 'invoice_voided', CancellationReason.INVOICE_VOIDED],
    ['settled (nothing open)', { openMinor: '0' }, 'invoice_paid', CancellationReason.INVOICE_PAID],
  ])(
    'does not send when the invoice is %s: cancels the reminder instead',
    async (_, change, reason, contractReason) => {
      const { useCase, reminders, outbox, channel, payload } = setup({
        reminder: reminder(),
        invoice: invoice(change),
      });
      await expect(useCase.execute(payload, { final: false })).resolves.toEqual({
        kind: 'cancelled',
        reason,
      });
      expect(channel.send).not.toHaveBeenCalled();
      expect(reminders.update).toHaveBeenCalledWith(
        { id: payload.reminderId },
        expect.objectContaining({ status: 'cancelled', reason, cancelledAt: NOW }),
      );
      const cancelled = appended(outbox);
      expect(cancelled.topic.name).toBe('notifications.reminder-cancelled.v1');
      expect(cancelled.event).toMatchObject({ reminderId: payload.reminderId, reason: contractReason });
    },
  );

  it.each(['sent', 'cancelled', 'skipped'] as const)(
    'does nothing for a reminder already %s',
    async (status) => {
      const { useCase, reminders, outbox, channel, payload } = setup({
        reminder: reminder({ status }),
        invoice: invoice(),
      });
      await expect(useCase.execute(payload, { final: false })).resolves.toEqual({ kind: 'final', status });
      expect(channel.send).not.toHaveBeenCalled();
      expect(reminders.update).not.toHaveBeenCalled();
      expect(outbox.append).not.toHaveBeenCalled();
    },
  );

  it('does nothing for a reminder that does not exist', async () => {
    const { useCase, channel, payload } = setup({ reminder: null, invoice: invoice() });
    await expect(useCase.execute(payload, { final: false })).resolves.toEqual({
      kind: 'final',
      status: 'missing',
    });
    expect(channel.send).not.toHaveBeenCalled();
  });

  it('reports a job added for another time (re-anchored since) as stale and sends nothing', async () => {
    const later = new Date('2025-04-02T01:00:00Z');
    const { useCase, channel, outbox, payload } = setup({
      reminder: reminder({ scheduledFor: later }),
      invoice: invoice(),
    });
    await expect(useCase.execute(payload, { final: false })).resolves.toEqual({
      kind: 'stale',
      scheduledFor: later,
    });
    expect(channel.send).not.toHaveBeenCalled();
    expect(outbox.append).not.toHaveBeenCalled();
  });

  it('lets a channel failure through while the queue will retry (the transaction rolls back)', async () => {
    const { useCase, reminders, channel, payload } = setup({ reminder: reminder(), invoice: invoice() });
    channel.send.mockRejectedValue(new Error('421 try again later'));
    await expect(useCase.execute(payload, { final: false })).rejects.toThrow('421 try again later');
    expect(reminders.update).not.toHaveBeenCalled();
  });

  it('cancels the reminder as delivery_failed when the last attempt fails', async () => {
    const { useCase, outbox, channel, payload } = setup({ reminder: reminder(), invoice: invoice() });
    channel.send.mockRejectedValue(new Error('550 no such user'));
    await expect(useCase.execute(payload, { final: true })).resolves.toEqual({
      kind: 'cancelled',
      reason: 'delivery_failed',
    });
    expect(appended(outbox).event).toMatchObject({
      reason: CancellationReason.DELIVERY_FAILED,
      detail: 'the test channel refused it: 550 no such user',
    });
  });

  it('writes English for a customer whose locale is not Chinese', async () => {
    const { useCase, channel, payload } = setup({
      reminder: reminder({ offsetDays: 7, level: 3 }),
      invoice: invoice(),
      locale: 'en-GB',
    });
    await useCase.execute(payload, { final: false });
    expect(channel.send.mock.calls[0]![0]).toMatchObject({
      locale: 'en',
      subject: 'Overdue: invoice INV-1 is 7 days past due',
    });
  });
});
