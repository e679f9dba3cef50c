import { CancellationReason, ReminderChannel as ContractChannel } from '@duemap/events';
import type { OutboxWriter } from '@duemap/messaging';
import type { DataSource, EntityManager } from 'typeorm';
import { PermanentDeliveryError, type ReminderChannel } from '../../channels/reminder-channel';
import type { Logger } from 'pino';
import type { Clock } from '../../common/clock';
import type { NotificationsConfig } from '../../config';
import { CustomerEntity } from '../../customers/customer.entity';
import { InvoiceEntity } from '../../invoices/invoice.entity';
import { ReminderEntity } from '../reminder.entity';
import { ReminderSendFailedError, SendReminderUseCase } from './send-reminder.usecase';

const NOW = new Date('2025-03-28T01:00:05Z');
const SCHEDULED_FOR = new Date('2025-03-28T01:00:00Z');
const SEND_TIMEOUT_MS = 15_000;

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

function setup(rows: {
  reminder: ReminderEntity | null;
  invoice: InvoiceEntity | null;
  locale?: string;
  idempotent?: boolean;
  /** A payment holds the invoice (payment-holds.ts). */
  held?: boolean;
}) {
  // The stored row: what each transaction reads, and what update() writes to.
  const stored = rows.reminder;
  const reminders = {
    findOne: jest.fn(() =>
      Promise.resolve(stored === null ? null : Object.assign(new ReminderEntity(), stored)),
    ),
    update: jest.fn((_: unknown, changes: Partial<ReminderEntity>) => {
      if (stored !== null) Object.assign(stored, changes);
      return Promise.resolve();
    }),
  };
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
    // The one raw query of a send: is the invoice held by a payment?
    query: jest.fn().mockResolvedValue([{ held: rows.held ?? false }]),
  } as unknown as EntityManager;
  const dataSource = {
    transaction: jest.fn((work: (em: EntityManager) => unknown) => work(em)),
  } as unknown as DataSource;
  const outbox = { append: jest.fn().mockResolvedValue('event-id') } as unknown as jest.Mocked<OutboxWriter>;
  const channel: jest.Mocked<ReminderChannel> & { idempotent: boolean } = {
    name: 'test',
    idempotent: rows.idempotent ?? false,
    send: jest.fn().mockResolvedValue({ channelMessageId: 'msg-1' }),
  };
  const clock: Clock = { now: () => NOW };
  const config = { REMINDER_SEND_TIMEOUT: SEND_TIMEOUT_MS } as NotificationsConfig;
  const logger = { warn: jest.fn(), info: jest.fn() } as unknown as Logger;
  const useCase = new SendReminderUseCase(dataSource, outbox, channel, clock, config, logger);
  const payload = { reminderId: rows.reminder?.id ?? 'x', scheduledFor: SCHEDULED_FOR.toISOString() };
  return { useCase, reminders, stored, outbox, channel, payload, dataSource };
}

type AppendedEvent = { topic: { name: string }; event: Record<string, unknown> };
const appended = (outbox: jest.Mocked<OutboxWriter>): AppendedEvent =>
  (outbox.append.mock.calls[0] as unknown as [unknown, AppendedEvent])[1];

describe('SendReminderUseCase', () => {
  it('does not send while a payment settles the invoice that invoicing has not recorded yet', async () => {
    const { useCase, reminders, channel, payload } = setup({
      reminder: reminder(),
      invoice: invoice(),
      held: true,
    });
    await expect(useCase.execute(payload, { final: false })).resolves.toEqual({
      kind: 'cancelled',
      reason: 'invoice_paid',
    });
    expect(channel.send).not.toHaveBeenCalled();
    expect(reminders.update).toHaveBeenCalledWith(
      { id: payload.reminderId },
      expect.objectContaining({ status: 'cancelled', reason: 'invoice_paid' }),
    );
  });

  it('claims the reminder, sends it outside any transaction, then records it sent with reminder-sent', async () => {
    const { useCase, reminders, stored, outbox, channel, payload, dataSource } = setup({
      reminder: reminder(),
      invoice: invoice(),
    });
    let statusDuringSend: string | undefined;
    let transactionsBeforeSend = 0;
    channel.send.mockImplementation(() => {
      statusDuringSend = stored?.status;
      transactionsBeforeSend = (dataSource.transaction as jest.Mock).mock.calls.length;
      return Promise.resolve({ channelMessageId: 'msg-1' });
    });
    await expect(useCase.execute(payload, { final: false })).resolves.toEqual({
      kind: 'sent',
      channelMessageId: 'msg-1',
    });
    // The claim's transaction was over before the send, the record's came after.
    expect(statusDuringSend).toBe('sending');
    expect(transactionsBeforeSend).toBe(1);
    expect(dataSource.transaction).toHaveBeenCalledTimes(2);
    expect(reminders.findOne).toHaveBeenCalledWith(
      expect.objectContaining({ lock: { mode: 'pessimistic_write' } }),
    );
    expect(reminders.update).toHaveBeenNthCalledWith(
      1,
      { id: payload.reminderId },
      expect.objectContaining({
        status: 'sending',
        claimedAt: NOW,
        attemptId: expect.any(String) as unknown,
      }),
    );
    expect(channel.send).toHaveBeenCalledWith(
      expect.objectContaining({ locale: 'zh-CN', subject: '付款提醒：发票 INV-1 将于 2025年3月31日 到期' }),
      { signal: expect.any(AbortSignal) as unknown, final: false },
    );
    expect(channel.send.mock.calls[0]![0].body).toContain('¥1,130.00');
    expect(stored).toMatchObject({ status: 'sent', sentAt: NOW, channelMessageId: 'msg-1' });
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

  it('records a send that went out as sent even if the row was marked otherwise meanwhile', async () => {
    const { useCase, stored, outbox, channel, payload } = setup({ reminder: reminder(), invoice: invoice() });
    channel.send.mockImplementation(() => {
      Object.assign(stored!, { status: 'unconfirmed' });
      return Promise.resolve({ channelMessageId: 'msg-1' });
    });
    await expect(useCase.execute(payload, { final: false })).resolves.toMatchObject({ kind: 'sent' });
    expect(stored?.status).toBe('sent');
    expect(appended(outbox).topic.name).toBe('notifications.reminder-sent.v1');
  });

  it('records nothing when another attempt took the claim over meanwhile', async () => {
    const { useCase, stored, outbox, channel, payload } = setup({ reminder: reminder(), invoice: invoice() });
    channel.send.mockImplementation(() => {
      Object.assign(stored!, { attemptId: 'another-attempt' });
      return Promise.resolve({ channelMessageId: 'msg-1' });
    });
    await expect(useCase.execute(payload, { final: false })).resolves.toEqual({ kind: 'superseded' });
    expect(stored?.status).toBe('sending');
    expect(outbox.append).not.toHaveBeenCalled();
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
      expect(reminders.update).toHaveBeenCalledTimes(1);
      expect(reminders.update).toHaveBeenCalledWith(
        { id: payload.reminderId },
        expect.objectContaining({ status: 'cancelled', reason, cancelledAt: NOW }),
      );
      const cancelled = appended(outbox);
      expect(cancelled.topic.name).toBe('notifications.reminder-cancelled.v1');
      expect(cancelled.event).toMatchObject({ reminderId: payload.reminderId, reason: contractReason });
    },
  );

  it.each(['sent', 'unconfirmed', 'cancelled', 'skipped'] as const)(
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

  it('puts a reminder the channel refused back to scheduled and fails the job, for the queue to retry', async () => {
    const { useCase, stored, outbox, channel, payload } = setup({ reminder: reminder(), invoice: invoice() });
    channel.send.mockRejectedValue(new Error('421 try again later'));
    const sent = useCase.execute(payload, { final: false });
    await expect(sent).rejects.toBeInstanceOf(ReminderSendFailedError);
    await expect(sent).rejects.toThrow('421 try again later');
    expect(stored).toMatchObject({ status: 'scheduled', attemptId: null, claimedAt: null });
    expect(outbox.append).not.toHaveBeenCalled();
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

  it('cancels it at once on a hard failure (an SMTP 5xx), with attempts left: never sent again', async () => {
    const { useCase, stored, outbox, channel, payload } = setup({ reminder: reminder(), invoice: invoice() });
    channel.send.mockRejectedValue(
      new PermanentDeliveryError('the SMTP server refused it: 550 no such user'),
    );
    await expect(useCase.execute(payload, { final: false })).resolves.toEqual({
      kind: 'cancelled',
      reason: 'delivery_failed',
    });
    expect(stored).toMatchObject({ status: 'cancelled', reason: 'delivery_failed' });
    expect(appended(outbox).topic.name).toBe('notifications.reminder-cancelled.v1');
  });

  it('tells the channel which attempt is the last, and which channel the policy chose', async () => {
    const { useCase, channel, payload } = setup({ reminder: reminder(), invoice: invoice() });
    channel.send.mockResolvedValue({ channelMessageId: 'm' });
    await useCase.execute(payload, { final: true });
    expect(channel.send).toHaveBeenCalledWith(
      expect.objectContaining({
        channel: 'email',
        html: expect.stringContaining('<html lang="zh-CN">') as unknown,
      }),
      expect.objectContaining({ final: true }),
    );
  });

  describe('a channel that does not answer', () => {
    beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] }));
    afterEach(() => jest.useRealTimers());

    const hang = (channel: jest.Mocked<ReminderChannel>): { aborted: () => boolean } => {
      let signal: AbortSignal | undefined;
      channel.send.mockImplementation((_, options) => {
        signal = options?.signal;
        return new Promise(() => undefined);
      });
      return { aborted: () => signal?.aborted ?? false };
    };

    it('gives up after REMINDER_SEND_TIMEOUT, aborting it; a channel that cannot be asked twice leaves it unconfirmed', async () => {
      const { useCase, stored, outbox, channel, payload } = setup({
        reminder: reminder(),
        invoice: invoice(),
      });
      const send = hang(channel);
      const outcome = useCase.execute(payload, { final: false });
      await jest.advanceTimersByTimeAsync(SEND_TIMEOUT_MS);
      await expect(outcome).resolves.toEqual({ kind: 'unconfirmed' });
      expect(send.aborted()).toBe(true);
      expect(stored).toMatchObject({ status: 'unconfirmed', reason: 'delivery_unconfirmed' });
      expect(outbox.append).not.toHaveBeenCalled();
    });

    it('retries it on an idempotent channel (the receiver recognises the reminder id)', async () => {
      const { useCase, stored, channel, payload } = setup({
        reminder: reminder(),
        invoice: invoice(),
        idempotent: true,
      });
      hang(channel);
      const outcome = useCase.execute(payload, { final: false });
      const settled = expect(outcome).rejects.toThrow('the test channel did not answer within 15000 ms');
      await jest.advanceTimersByTimeAsync(SEND_TIMEOUT_MS);
      await settled;
      expect(stored?.status).toBe('scheduled');
    });
  });

  describe('a reminder found claimed (sending)', () => {
    const claimedAt = (msAgo: number) => new Date(NOW.getTime() - msAgo);

    it('is left to the attempt that holds it until its claim expires', async () => {
      const { useCase, channel, stored, payload } = setup({
        reminder: reminder({ status: 'sending', attemptId: 'a-1', claimedAt: claimedAt(5000) }),
        invoice: invoice(),
      });
      await expect(useCase.execute(payload, { final: false })).resolves.toEqual({
        kind: 'in_flight',
        until: new Date(NOW.getTime() - 5000 + 2 * SEND_TIMEOUT_MS),
      });
      expect(channel.send).not.toHaveBeenCalled();
      expect(stored?.status).toBe('sending');
    });

    it('after its claim expired (its attempt died), is marked unconfirmed, not sent again, on a channel that cannot dedupe', async () => {
      const { useCase, channel, stored, outbox, payload } = setup({
        reminder: reminder({
          status: 'sending',
          attemptId: 'a-1',
          claimedAt: claimedAt(2 * SEND_TIMEOUT_MS),
        }),
        invoice: invoice(),
      });
      await expect(useCase.execute(payload, { final: false })).resolves.toEqual({ kind: 'unconfirmed' });
      expect(channel.send).not.toHaveBeenCalled();
      expect(stored).toMatchObject({ status: 'unconfirmed', reason: 'delivery_unconfirmed' });
      expect(outbox.append).not.toHaveBeenCalled();
    });

    it('after its claim expired, is sent again under a new claim on an idempotent channel', async () => {
      const { useCase, channel, stored, payload } = setup({
        reminder: reminder({
          status: 'sending',
          attemptId: 'a-1',
          claimedAt: claimedAt(2 * SEND_TIMEOUT_MS),
        }),
        invoice: invoice(),
        idempotent: true,
      });
      await expect(useCase.execute(payload, { final: false })).resolves.toMatchObject({ kind: 'sent' });
      expect(channel.send).toHaveBeenCalledTimes(1);
      expect(stored?.status).toBe('sent');
      expect(stored?.attemptId).not.toBe('a-1');
    });

    it('after its claim expired, is marked unconfirmed rather than cancelled when the invoice was paid since', async () => {
      const { useCase, channel, stored, outbox, payload } = setup({
        reminder: reminder({
          status: 'sending',
          attemptId: 'a-1',
          claimedAt: claimedAt(2 * SEND_TIMEOUT_MS),
        }),
        invoice: invoice({ status: 'paid' }),
        idempotent: true,
      });
      await expect(useCase.execute(payload, { final: false })).resolves.toEqual({ kind: 'unconfirmed' });
      expect(channel.send).not.toHaveBeenCalled();
      expect(stored?.status).toBe('unconfirmed');
      expect(outbox.append).not.toHaveBeenCalled();
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
