import { Topic } from '@duemap/events';
import { waitFor } from '@duemap/testing';
import { randomUUID } from 'node:crypto';
import {
  customerUpserted,
  dayFromToday,
  invoiceIssued,
  remindersWhen,
  startNotifications,
  type Notifications,
} from './harness';
import { header, part, startSmtpServer, type TestSmtpServer } from './smtp-server';

interface Delivery {
  reminderId: string;
  invoiceId: string;
  channel: string;
  recipient: string | null;
  status: string;
  attempts: number;
  providerMessageId: string | null;
  providerResponse: string | null;
  error: string | null;
}

describe('notifications: reminders by email over SMTP, with a delivery log', () => {
  let n: Notifications;
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    n = await startNotifications({
      SMTP_URL: smtp.url,
      SMTP_FROM: 'Duemap AR <ar@duemap.test>',
      REMINDER_SEND_ATTEMPTS: '3',
      REMINDER_RETRY_DELAY: '100ms',
      REMINDER_SEND_TIMEOUT: '5s',
    });
  });

  afterAll(async () => {
    await n?.close();
    await smtp?.close();
  });

  beforeEach(() => {
    smtp.rcpt = () => 'accept';
  });

  /** A customer with an AP contact, an invoice, and the first reminder's job fired now. */
  async function firstReminderDue(locale: string, email: string, name: string) {
    const customerId = randomUUID();
    const invoiceId = randomUUID();
    await n.publish(
      Topic.CustomerUpserted,
      customerUpserted(customerId, {
        name,
        locale,
        contacts: [
          { name: 'AP', email, phone: '', role: 'accounts payable', locale: '' },
          { name: 'Boss', email: '', phone: '+8613800138000', role: 'owner', locale: '' },
        ],
      }),
    );
    await waitFor('contacts projected', async () =>
      (await n.db.query<unknown[]>(`SELECT 1 FROM customer_contacts WHERE customer_id = $1`, [customerId]))
        .length
        ? true
        : undefined,
    );
    const due = dayFromToday(10, 'Asia/Shanghai');
    await n.publish(Topic.InvoiceIssued, invoiceIssued(customerId, invoiceId, due, { number: 'INV-7788' }));
    const [first] = await remindersWhen(n, invoiceId, 'five scheduled', (r) => r.length === 5);
    const job = await waitFor('the first job in Redis', () => n.queue.getJob(first!.id));
    await job.promote();
    return { customerId, invoiceId, reminderId: first!.id, due };
  }

  const deliveries = async (query: string) => (await n.get<Delivery[]>(`/api/v1/deliveries?${query}`)).body;

  it("delivers a due reminder as an email in the customer's language: subject, text and HTML, logged as sent", async () => {
    const { invoiceId, reminderId, due } = await firstReminderDue(
      'zh-CN',
      'ap@mingyuan.test',
      '上海明远贸易有限公司',
    );
    const mail = await waitFor('the email', () => smtp.mails.find((m) => m.to.includes('ap@mingyuan.test')));
    const [y, m, d] = due.split('-').map(Number);
    expect(mail.from).toBe('ar@duemap.test');
    expect(header(mail.raw, 'Subject')).toBe(`付款提醒：发票 INV-7788 将于 ${y}年${m}月${d}日 到期`);
    expect(header(mail.raw, 'X-Duemap-Reminder-Id')).toBe(reminderId);
    expect(part(mail.raw, 'text/plain')).toContain('尊敬的上海明远贸易有限公司：');
    expect(part(mail.raw, 'text/plain')).toContain('未付金额为 ¥1,130.00');
    expect(part(mail.raw, 'text/html')).toContain('<html lang="zh-CN">');
    expect(part(mail.raw, 'text/html')).toContain('<p>尊敬的上海明远贸易有限公司：</p>');

    await remindersWhen(n, invoiceId, 'level 1 sent', (r) => r[0]?.status === 'sent');
    const [logged] = await waitFor('the delivery logged as sent', async () => {
      const list = await deliveries(`invoiceId=${invoiceId}`);
      return list[0]?.status === 'sent' ? list : undefined;
    });
    expect(logged).toMatchObject({
      reminderId,
      channel: 'email',
      recipient: 'ap@mingyuan.test',
      attempts: 1,
      error: null,
    });
    expect(logged?.providerResponse).toMatch(/^250 /);
    const sent = await waitFor('reminder-sent', () =>
      n.events.find(
        (e) =>
          e.topic === Topic.ReminderSent && (e.event as { reminderId: string }).reminderId === reminderId,
      ),
    );
    expect((sent.event as { channelMessageId: string }).channelMessageId).toBe(logged?.providerMessageId);
  });

  it('writes English to an English-speaking customer', async () => {
    await firstReminderDue('en-US', 'ap@acme.test', 'ACME Ltd');
    const mail = await waitFor('the email', () => smtp.mails.find((m) => m.to.includes('ap@acme.test')));
    expect(header(mail.raw, 'Subject')).toMatch(
      /^Payment reminder: invoice INV-7788 is due on \d{4}-\d\d-\d\d$/,
    );
    expect(part(mail.raw, 'text/plain')).toContain('Dear ACME Ltd,');
    expect(part(mail.raw, 'text/html')).toContain('<html lang="en">');
  });

  it('records an SMTP 5xx as failed at once, never re-sent, and no reminder-sent', async () => {
    smtp.rcpt = (address) =>
      address === 'gone@bounce.test' ? { code: 550, message: 'mailbox unavailable' } : 'accept';
    const { customerId, invoiceId, reminderId } = await firstReminderDue(
      'en',
      'gone@bounce.test',
      'Gone Ltd',
    );
    const [cancelled] = await remindersWhen(
      n,
      invoiceId,
      'level 1 cancelled',
      (r) => r[0]?.status === 'cancelled',
    );
    expect(cancelled?.reason).toBe('delivery_failed');
    const [logged] = await waitFor('the delivery logged as failed', async () => {
      const list = await deliveries(`customerId=${customerId}&status=failed`);
      return list.length > 0 ? list : undefined;
    });
    expect(logged).toMatchObject({ reminderId, status: 'failed', attempts: 1 });
    expect(logged?.providerResponse).toMatch(/^550 /);
    expect(logged?.error).toContain('mailbox unavailable');
    expect(smtp.rcptTries.filter((a) => a === 'gone@bounce.test')).toHaveLength(1);
    expect(
      n.events.some(
        (e) =>
          e.topic === Topic.ReminderSent && (e.event as { reminderId: string }).reminderId === reminderId,
      ),
    ).toBe(false);
  });

  it('retries a 4xx with backoff and records it failed after the last attempt; a 4xx that passes is delivered', async () => {
    smtp.rcpt = (address) =>
      address === 'busy@later.test' ? { code: 451, message: 'try again later' } : 'accept';
    const { invoiceId, reminderId } = await firstReminderDue('en', 'busy@later.test', 'Busy Ltd');
    await remindersWhen(n, invoiceId, 'level 1 cancelled', (r) => r[0]?.status === 'cancelled');
    const [logged] = await deliveries(`invoiceId=${invoiceId}`);
    expect(logged).toMatchObject({ reminderId, status: 'failed', attempts: 3 });
    expect(smtp.rcptTries.filter((a) => a === 'busy@later.test')).toHaveLength(3);
    expect(
      n.events.some(
        (e) =>
          e.topic === Topic.ReminderSent && (e.event as { reminderId: string }).reminderId === reminderId,
      ),
    ).toBe(false);

    let refused = 0;
    smtp.rcpt = (address) =>
      address === 'flaky@later.test' && refused++ === 0 ? { code: 450, message: 'mailbox busy' } : 'accept';
    const flaky = await firstReminderDue('en', 'flaky@later.test', 'Flaky Ltd');
    await remindersWhen(n, flaky.invoiceId, 'level 1 sent', (r) => r[0]?.status === 'sent');
    const [second] = await deliveries(`invoiceId=${flaky.invoiceId}&status=sent`);
    expect(second).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('refuses a delivery query without a filter, naming the fields', async () => {
    const res = await n.get<{ error: { code: string; details: { field: string }[] } }>('/api/v1/deliveries');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_DELIVERY_FILTER');
    const bad = await n.get<{ error: { details: { field: string }[] } }>(
      '/api/v1/deliveries?invoiceId=x&status=lost',
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d) => d.field).sort()).toEqual(['invoiceId', 'status']);
  });
});
