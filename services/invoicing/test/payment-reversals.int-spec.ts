import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  AllocationRule,
  dlqTopic,
  InvoiceField,
  InvoiceStatus as ProtoStatus,
  PaymentMethod,
  ReversalReason,
  Topic,
} from '@duemap/events';
import { collectMessages, testKafka, waitFor } from '@duemap/testing';
import { invoiceSource, isoDay, InvoicingHarness } from './invoicing-harness';

// payments.payment-reversed.v1 through the real consumer group, against Postgres and a private
// Kafka broker: a payment applied, then reversed, reopens its invoices (issue 18).

describe('invoicing: payment reversals', () => {
  const h = new InvoicingHarness();
  let customerId: string;

  beforeAll(async () => {
    await h.start('invoicing_reversals');
    ({ id: customerId } = await h.seedCustomer({ timeZone: 'Asia/Shanghai' }));
  });

  afterAll(() => h.stop());

  async function createInvoice(total: string, dueDate = isoDay(30)): Promise<{ id: string; number: string }> {
    const number = `INV-${randomUUID().slice(0, 6)}`;
    const res = await h.put(invoiceSource(), {
      customerId,
      number,
      issueDate: isoDay(-40),
      dueDate,
      total: { amount: total, currency: 'CNY' },
    });
    expect(res.status).toBe(201);
    return { id: res.body.id, number };
  }

  async function pay(paymentId: string, invoiceId: string, amount: string): Promise<void> {
    const eventId = await h.publish(Topic.PaymentReceived, {
      customerId,
      occurredAt: timestampFromDate(new Date()),
      paymentId,
      amount: { amount, currency: 'CNY' },
      allocations: [{ invoiceId, applied: { amount, currency: 'CNY' }, rule: AllocationRule.EXPLICIT }],
      unapplied: { amount: '0', currency: 'CNY' },
      method: PaymentMethod.CHEQUE,
      receivedAt: timestampFromDate(new Date()),
    });
    await h.processed(eventId);
  }

  function reversed(paymentId: string, allocations: { invoiceId: string; amount: string }[]) {
    return {
      customerId,
      occurredAt: timestampFromDate(new Date()),
      paymentId,
      amount: { amount: '1000.00', currency: 'CNY' },
      reversedAllocations: allocations.map((a) => ({
        invoiceId: a.invoiceId,
        amount: { amount: a.amount, currency: 'CNY' },
      })),
      reversedUnapplied: { amount: '0', currency: 'CNY' },
      reason: ReversalReason.RETURNED,
      detail: 'cheque bounced',
      source: { sourceSystem: 'api', externalId: randomUUID() },
    };
  }

  const getInvoice = async (id: string) => (await h.request('GET', `/api/v1/invoices/${id}`)).body;

  it('reopens a paid invoice: open with its amount, next version, invoice-changed; a redelivery changes nothing', async () => {
    const invoice = await createInvoice('1000.00');
    const payment = `pay-${randomUUID()}`;
    await pay(payment, invoice.id, '1000.00');
    expect(await getInvoice(invoice.id)).toMatchObject({ status: 'paid', openAmount: { amount: '0.00' } });

    const event = reversed(payment, [{ invoiceId: invoice.id, amount: '1000.00' }]);
    const eventId = await h.publish(Topic.PaymentReversed, event);
    await h.processed(eventId);

    expect(await getInvoice(invoice.id)).toMatchObject({
      status: 'open',
      openAmount: { amount: '1000.00', currency: 'CNY' },
      payments: [],
    });
    const changed = await h.events.waitFor(
      Topic.InvoiceChanged,
      (e) => e.invoiceId === invoice.id && e.status === ProtoStatus.OPEN,
    );
    // Issued 1, paid 2, reopened 3.
    expect(changed.event).toMatchObject({
      customerId,
      invoiceVersion: 3n,
      openAmount: { amount: '1000.00', currency: 'CNY' },
      changedFields: [InvoiceField.OPEN_AMOUNT, InvoiceField.STATUS],
    });
    // (decodeRecord refused it were its key not the customer id.)

    // The same event again, and the reversal republished under a new event id.
    await h.publish(Topic.PaymentReversed, event, eventId);
    const again = await h.publish(Topic.PaymentReversed, event);
    await h.processed(again);
    // And its payment-received once more: the application is reversed, not gone.
    await pay(payment, invoice.id, '1000.00');

    expect(await getInvoice(invoice.id)).toMatchObject({ status: 'open', openAmount: { amount: '1000.00' } });
    const [row] = await h.dataSource.query<{ version: string; paid: string }[]>(
      `SELECT version::text AS version, paid_minor::text AS paid FROM invoices WHERE id = $1`,
      [invoice.id],
    );
    expect(row).toEqual({ version: '3', paid: '0' });
    expect(h.events.of(Topic.InvoiceChanged, (e) => e.invoiceId === invoice.id)).toHaveLength(2);
    expect(
      await h.count(
        `SELECT count(*) AS n FROM invoice_payments
         WHERE payment_id = $1 AND reversed_at IS NOT NULL AND reversed_minor = 100000`,
        [payment],
      ),
    ).toBe(1);

    // Paid again by another payment: invoice-paid names that one only, the reversed one is gone.
    const replacement = `pay-${randomUUID()}`;
    await pay(replacement, invoice.id, '1000.00');
    const paid = await h.events.waitFor(
      Topic.InvoicePaid,
      (e) => e.invoiceId === invoice.id && e.invoiceVersion === 4n,
    );
    expect(paid.event.paymentIds).toEqual([replacement]);
    expect(await getInvoice(invoice.id)).toMatchObject({
      status: 'paid',
      payments: [{ paymentId: replacement, applied: { amount: '1000.00' } }],
    });
  });

  it('reopens a past-due invoice as overdue (invoice-overdue), giving back only what the payment paid there', async () => {
    const invoice = await createInvoice('300.00', isoDay(-3));
    const other = await createInvoice('500.00');
    const payment = `pay-${randomUUID()}`;
    // 350 on 300: 50 is rejected, so only 300 was paid there.
    await pay(payment, invoice.id, '350.00');
    const keeper = `pay-${randomUUID()}`;
    await pay(keeper, other.id, '200.00');
    expect(await getInvoice(invoice.id)).toMatchObject({ status: 'paid' });

    const eventId = await h.publish(
      Topic.PaymentReversed,
      reversed(payment, [
        { invoiceId: invoice.id, amount: '350.00' },
        // A payment that never paid this invoice gives it nothing back.
        { invoiceId: other.id, amount: '200.00' },
      ]),
    );
    await h.processed(eventId);

    expect(await getInvoice(invoice.id)).toMatchObject({
      status: 'overdue',
      openAmount: { amount: '300.00' },
      payments: [],
    });
    expect(await getInvoice(other.id)).toMatchObject({
      status: 'partially_paid',
      openAmount: { amount: '300.00' },
      payments: [{ paymentId: keeper }],
    });
    // Issued overdue 1, paid 2, reopened 3: overdue again, announced again.
    const changed = await h.events.waitFor(
      Topic.InvoiceChanged,
      (e) => e.invoiceId === invoice.id && e.status === ProtoStatus.OVERDUE,
    );
    expect(changed.event.invoiceVersion).toBe(3n);
    await h.events.waitFor(
      Topic.InvoiceOverdue,
      (e) => e.invoiceId === invoice.id && e.invoiceVersion === 3n,
    );
    expect(h.events.of(Topic.InvoiceChanged, (e) => e.invoiceId === other.id)).toHaveLength(1);
  });

  it('applies nothing of a payment whose reversal arrived first', async () => {
    const invoice = await createInvoice('800.00');
    const payment = `pay-${randomUUID()}`;
    const eventId = await h.publish(
      Topic.PaymentReversed,
      reversed(payment, [{ invoiceId: invoice.id, amount: '800.00' }]),
    );
    await h.processed(eventId);
    await pay(payment, invoice.id, '800.00');

    expect(await getInvoice(invoice.id)).toMatchObject({
      status: 'open',
      openAmount: { amount: '800.00' },
      payments: [],
    });
    expect(h.events.of(Topic.AllocationRejected, (e) => e.paymentId === payment)).toEqual([]);
    expect(
      await h.count(`SELECT count(*) AS n FROM payment_reversals WHERE payment_id = $1`, [payment]),
    ).toBe(1);
  });

  it('dead-letters a reversal naming an unknown invoice; the partition moves on', async () => {
    const invoice = await createInvoice('100.00');
    const payment = `pay-${randomUUID()}`;
    await pay(payment, invoice.id, '100.00');
    const unknown = randomUUID();
    await h.publish(
      Topic.PaymentReversed,
      reversed(payment, [
        { invoiceId: invoice.id, amount: '100.00' },
        { invoiceId: unknown, amount: '5.00' },
      ]),
    );
    const [dead] = await collectMessages(
      testKafka(h.service.kafka.brokers),
      dlqTopic(Topic.PaymentReversed),
      1,
    );
    expect(dead?.header('dlq-error-class')).toBe('fatal');
    expect(dead?.header('dlq-error')).toContain(unknown);
    // Nothing of it was applied.
    expect(await getInvoice(invoice.id)).toMatchObject({ status: 'paid' });

    const next = await h.publish(
      Topic.PaymentReversed,
      reversed(payment, [{ invoiceId: invoice.id, amount: '100.00' }]),
    );
    await h.processed(next);
    await waitFor('the invoice reopened', async () =>
      (await getInvoice(invoice.id)).status === 'open' ? true : undefined,
    );
  });
});
