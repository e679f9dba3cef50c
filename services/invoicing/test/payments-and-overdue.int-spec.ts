import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  AllocationRejectionReason,
  AllocationRule,
  InvoiceField,
  InvoiceStatus as ProtoStatus,
  PaymentMethod,
  Topic,
} from '@duemap/events';
import { waitFor } from '@duemap/testing';
import { addDays, overdueStartsAt } from '../src/invoices/due-date';
import { invoiceSource, isoDay, InvoicingHarness } from './invoicing-harness';

// payments.payment-received.v1 applied to invoices through the real consumer group, and the
// scheduled overdue transition, against Postgres and a private Kafka broker.

describe('invoicing: payments and overdue', () => {
  const h = new InvoicingHarness();
  let customerId: string;

  beforeAll(async () => {
    await h.start('invoicing_payments');
    ({ id: customerId } = await h.seedCustomer({ timeZone: 'Asia/Shanghai' }));
  });

  afterAll(() => h.stop());

  async function createInvoice(
    total: string,
    overrides: Record<string, unknown> = {},
  ): Promise<{ id: string; number: string }> {
    const number = `INV-${randomUUID().slice(0, 6)}`;
    const res = await h.put(invoiceSource(), {
      customerId,
      number,
      issueDate: isoDay(-5),
      dueDate: isoDay(30),
      total: { amount: total, currency: 'CNY' },
      ...overrides,
    });
    expect(res.status).toBe(201);
    return { id: res.body.id, number };
  }

  function paymentReceived(
    paymentId: string,
    allocations: { invoiceId: string; amount: string; currency?: string }[],
    payer = customerId,
  ) {
    return {
      customerId: payer,
      occurredAt: timestampFromDate(new Date()),
      paymentId,
      amount: { amount: '1', currency: 'CNY' },
      allocations: allocations.map((a) => ({
        invoiceId: a.invoiceId,
        applied: { amount: a.amount, currency: a.currency ?? 'CNY' },
        rule: AllocationRule.EXPLICIT,
      })),
      unapplied: { amount: '0', currency: 'CNY' },
      method: PaymentMethod.BANK_TRANSFER,
      receivedAt: timestampFromDate(new Date()),
    };
  }

  const getInvoice = async (id: string) => (await h.request('GET', `/api/v1/invoices/${id}`)).body;

  it('applies a partial payment, then a settling one: partially_paid, then paid with invoice-paid', async () => {
    const invoice = await createInvoice('1000.00');

    const first = await h.publish(
      Topic.PaymentReceived,
      paymentReceived('pay-partial', [{ invoiceId: invoice.id, amount: '400.00' }]),
    );
    await h.processed(first);
    expect(await getInvoice(invoice.id)).toMatchObject({
      status: 'partially_paid',
      openAmount: { amount: '600.00', currency: 'CNY' },
      payments: [{ paymentId: 'pay-partial', applied: { amount: '400.00', currency: 'CNY' } }],
    });
    const changed = await h.events.waitFor(
      Topic.InvoiceChanged,
      (e) => e.invoiceId === invoice.id && e.status === ProtoStatus.PARTIALLY_PAID,
    );
    expect(changed.event.openAmount).toMatchObject({ amount: '600.00' });
    expect(changed.event.changedFields).toEqual([InvoiceField.OPEN_AMOUNT, InvoiceField.STATUS]);
    // Issued as version 1; each change after it is the next version, whatever the clocks say.
    expect(changed.event.invoiceVersion).toBe(2n);

    const second = await h.publish(
      Topic.PaymentReceived,
      paymentReceived('pay-rest', [{ invoiceId: invoice.id, amount: '600.00' }]),
    );
    await h.processed(second);
    expect(await getInvoice(invoice.id)).toMatchObject({ status: 'paid', openAmount: { amount: '0.00' } });
    const paid = await h.events.waitFor(Topic.InvoicePaid, (e) => e.invoiceId === invoice.id);
    expect(paid.event).toMatchObject({
      customerId,
      number: invoice.number,
      paymentIds: ['pay-partial', 'pay-rest'],
      invoiceVersion: 3n,
    });
    await h.events.waitFor(
      Topic.InvoiceChanged,
      (e) => e.invoiceId === invoice.id && e.status === ProtoStatus.PAID,
    );
  });

  it('applies many payments arriving together, several to one invoice, as one by one would', async () => {
    const invoices = await Promise.all(Array.from({ length: 12 }, () => createInvoice('100.00')));
    // Published back to back without waiting, so the consumer takes them in groups: two payments
    // per invoice (60 then 40) plus a third that finds it paid.
    const eventIds: string[] = [];
    for (const [i, invoice] of invoices.entries()) {
      for (const [part, amount] of [
        ['a', '60.00'],
        ['b', '40.00'],
        ['c', '5.00'],
      ] as const) {
        eventIds.push(
          await h.publish(
            Topic.PaymentReceived,
            paymentReceived(`batch-${i}-${part}`, [{ invoiceId: invoice.id, amount }]),
          ),
        );
      }
    }
    for (const eventId of eventIds) await h.processed(eventId);
    for (const [i, invoice] of invoices.entries()) {
      expect(await getInvoice(invoice.id)).toMatchObject({
        status: 'paid',
        openAmount: { amount: '0.00' },
        payments: [
          { paymentId: `batch-${i}-a`, applied: { amount: '60.00' } },
          { paymentId: `batch-${i}-b`, applied: { amount: '40.00' } },
        ],
      });
      const paid = await h.events.waitFor(Topic.InvoicePaid, (e) => e.invoiceId === invoice.id);
      expect(paid.event.paymentIds).toEqual([`batch-${i}-a`, `batch-${i}-b`]);
      const rejected = await h.events.waitFor(
        Topic.AllocationRejected,
        (e) => e.invoiceId === invoice.id && e.paymentId === `batch-${i}-c`,
      );
      expect(rejected.event.reason).toBe(AllocationRejectionReason.INVOICE_ALREADY_PAID);
    }
    const rows = await h.count(`SELECT count(*) AS n FROM invoice_payments WHERE payment_id LIKE 'batch-%'`);
    expect(rows).toBe(24);
  });

  it('applies a redelivered payment once: same event id, and the same payment under a new event id', async () => {
    const invoice = await createInvoice('500.00');
    const event = paymentReceived('pay-twice', [
      { invoiceId: invoice.id, amount: '100.00' },
      // A rejected allocation counts as handled too: not rejected (nor credited) twice.
      { invoiceId: randomUUID().toUpperCase(), amount: '5.00' },
    ]);
    const eventId = await h.publish(Topic.PaymentReceived, event);
    await h.processed(eventId);

    await h.publish(Topic.PaymentReceived, event, eventId); // a redelivery
    const replay = await h.publish(Topic.PaymentReceived, event); // the payment republished
    // One customer's events share a partition, so once the last is applied the others were too.
    await h.processed(replay);

    expect(await getInvoice(invoice.id)).toMatchObject({
      openAmount: { amount: '400.00' },
      payments: [{ paymentId: 'pay-twice', applied: { amount: '100.00' } }],
    });
    expect(
      h.events.of(
        Topic.InvoiceChanged,
        (e) => e.invoiceId === invoice.id && e.openAmount?.amount === '400.00',
      ),
    ).toHaveLength(1);
    expect(
      await h.count(`SELECT count(*) AS n FROM allocation_rejections WHERE payment_id = 'pay-twice'`),
    ).toBe(1);
  });

  it('applies what fits and rejects the rest: excess over the open amount, unknown invoice, another currency', async () => {
    const invoice = await createInvoice('300.00');
    const unknown = randomUUID();
    const eventId = await h.publish(
      Topic.PaymentReceived,
      paymentReceived('pay-bad', [
        { invoiceId: invoice.id, amount: '350.00' },
        { invoiceId: unknown, amount: '20.00' },
      ]),
    );
    await h.processed(eventId);

    expect(await getInvoice(invoice.id)).toMatchObject({ status: 'paid', openAmount: { amount: '0.00' } });
    const excess = await h.events.waitFor(
      Topic.AllocationRejected,
      (e) => e.paymentId === 'pay-bad' && e.invoiceId === invoice.id,
    );
    expect(excess.event).toMatchObject({
      customerId,
      reason: AllocationRejectionReason.EXCEEDS_OPEN_AMOUNT,
      requested: { amount: '350.00', currency: 'CNY' },
      rejected: { amount: '50.00', currency: 'CNY' },
    });
    const notFound = await h.events.waitFor(
      Topic.AllocationRejected,
      (e) => e.paymentId === 'pay-bad' && e.invoiceId === unknown,
    );
    expect(notFound.event).toMatchObject({
      reason: AllocationRejectionReason.INVOICE_NOT_FOUND,
      rejected: { amount: '20.00', currency: 'CNY' },
    });

    const other = await createInvoice('100.00');
    const usd = await h.publish(
      Topic.PaymentReceived,
      paymentReceived('pay-usd', [{ invoiceId: other.id, amount: '10.00', currency: 'USD' }]),
    );
    await h.processed(usd);
    const mismatch = await h.events.waitFor(Topic.AllocationRejected, (e) => e.paymentId === 'pay-usd');
    expect(mismatch.event.reason).toBe(AllocationRejectionReason.CURRENCY_MISMATCH);
    expect(await getInvoice(other.id)).toMatchObject({ status: 'open', openAmount: { amount: '100.00' } });
  });

  it("rejects an allocation to another customer's invoice", async () => {
    const invoice = await createInvoice('100.00');
    const stranger = await h.seedCustomer();
    const eventId = await h.publish(
      Topic.PaymentReceived,
      paymentReceived('pay-stranger', [{ invoiceId: invoice.id, amount: '10.00' }], stranger.id),
    );
    await h.processed(eventId);
    const rejected = await h.events.waitFor(Topic.AllocationRejected, (e) => e.paymentId === 'pay-stranger');
    expect(rejected.event).toMatchObject({
      customerId: stranger.id,
      reason: AllocationRejectionReason.CUSTOMER_MISMATCH,
    });
    expect((await getInvoice(invoice.id)).openAmount.amount).toBe('100.00');
  });

  it('refuses to change the currency or lower the total below what was paid, and to void a paid-into invoice', async () => {
    const source = invoiceSource();
    const created = await h.put(source, {
      customerId,
      number: 'INV-PAID-INTO',
      issueDate: isoDay(-5),
      dueDate: isoDay(30),
      total: { amount: '800.00', currency: 'CNY' },
    });
    const eventId = await h.publish(
      Topic.PaymentReceived,
      paymentReceived('pay-pin', [{ invoiceId: created.body.id, amount: '500.00' }]),
    );
    await h.processed(eventId);
    const base = { customerId, number: 'INV-PAID-INTO', issueDate: isoDay(-5), dueDate: isoDay(30) };

    const currency = await h.put(source, { ...base, total: { amount: '800.00', currency: 'USD' } });
    expect(currency.status).toBe(422);
    expect(currency.body.error).toMatchObject({
      code: 'CURRENCY_CHANGE_NOT_ALLOWED',
      details: [{ field: 'total.currency' }],
    });
    const below = await h.put(source, { ...base, total: { amount: '499.99', currency: 'CNY' } });
    expect(below.status).toBe(422);
    expect(below.body.error).toMatchObject({
      code: 'TOTAL_BELOW_PAID',
      details: [{ field: 'total.amount' }],
    });
    const voided = await h.request('POST', `/api/v1/invoices/${created.body.id}/void`);
    expect(voided.status).toBe(409);
    expect(voided.body.error.code).toBe('INVOICE_HAS_PAYMENTS');

    expect(await getInvoice(created.body.id)).toMatchObject({
      status: 'partially_paid',
      total: { amount: '800.00', currency: 'CNY' },
    });
  });

  it('turns open and partially paid invoices overdue once their due date has passed, never paid ones', async () => {
    const open = await createInvoice('100.00');
    const partial = await createInvoice('100.00');
    const paid = await createInvoice('100.00');
    const eventId = await h.publish(
      Topic.PaymentReceived,
      paymentReceived('pay-before-due', [
        { invoiceId: partial.id, amount: '40.00' },
        { invoiceId: paid.id, amount: '100.00' },
      ]),
    );
    await h.processed(eventId);

    // Time passes: the due date is now yesterday in Shanghai (the row's overdue instant moves with it).
    const due = addDays(isoDay(0), -2);
    await h.dataSource.query(
      `UPDATE invoices SET issue_date = $1, due_date = $1, overdue_at = $2 WHERE id = ANY($3::uuid[])`,
      [due, overdueStartsAt(due, 'Asia/Shanghai'), [open.id, partial.id, paid.id]],
    );

    for (const invoice of [open, partial]) {
      const overdue = await h.events.waitFor(Topic.InvoiceOverdue, (e) => e.invoiceId === invoice.id);
      expect(overdue.event).toMatchObject({ customerId, timeZone: 'Asia/Shanghai', number: invoice.number });
      expect(overdue.event.overdueSince).toMatchObject({ day: Number(addDays(due, 1).slice(8, 10)) });
      const changed = await h.events.waitFor(
        Topic.InvoiceChanged,
        (e) => e.invoiceId === invoice.id && e.status === ProtoStatus.OVERDUE,
      );
      expect(changed.event.changedFields).toEqual([InvoiceField.STATUS]);
      // The mark is the next version after issue (1) and, for the partial one, its payment (2).
      const version = invoice === open ? 2n : 3n;
      expect([overdue.event.invoiceVersion, changed.event.invoiceVersion]).toEqual([version, version]);
      expect((await getInvoice(invoice.id)).status).toBe('overdue');
    }
    expect((await getInvoice(partial.id)).openAmount.amount).toBe('60.00');
    // Several scans later the paid one is still paid and no invoice was announced overdue twice.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await getInvoice(paid.id)).status).toBe('paid');
    expect(h.events.of(Topic.InvoiceOverdue, (e) => e.invoiceId === paid.id)).toHaveLength(0);
    expect(h.events.of(Topic.InvoiceOverdue, (e) => e.invoiceId === open.id)).toHaveLength(1);
  });

  it('a customer moving to another time zone moves the overdue instant of its open invoices', async () => {
    const { id } = await h.seedCustomer({ timeZone: 'UTC' });
    const res = await h.put(invoiceSource(), {
      customerId: id,
      number: 'INV-TZ',
      issueDate: isoDay(-5),
      dueDate: isoDay(30),
      total: { amount: '10.00', currency: 'CNY' },
    });
    const eventId = await h.publish(Topic.CustomerUpserted, {
      customerId: id,
      occurredAt: timestampFromDate(new Date()),
      sources: [{ sourceSystem: 'sap', externalId: `C-${id.slice(0, 6)}` }],
      timeZone: 'Pacific/Kiritimati',
    });
    await h.processed(eventId);
    const [row] = await h.dataSource.query<{ time_zone: string; overdue_at: Date }[]>(
      `SELECT time_zone, overdue_at FROM invoices WHERE id = $1`,
      [res.body.id],
    );
    expect(row?.time_zone).toBe('Pacific/Kiritimati');
    expect(row?.overdue_at.toISOString()).toBe(
      overdueStartsAt(isoDay(30), 'Pacific/Kiritimati').toISOString(),
    );
    await waitFor('the API to show the new zone', async () =>
      (await getInvoice(res.body.id)).timeZone === 'Pacific/Kiritimati' ? true : undefined,
    );
  });
});
