import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  AllocationRule,
  InvoiceField,
  InvoiceStatus,
  ReversalReason,
  Topic,
  type EventInitOf,
} from '@duemap/events';
import { waitFor } from '@duemap/testing';
import { randomUUID } from 'node:crypto';
import {
  dayFromToday,
  invoiceChanged,
  invoiceIssued,
  invoicePaid,
  knownCustomer,
  remindersWhen,
  startNotifications,
  type Notifications,
} from './harness';

/** payment-received as payments emits it since ADR 0030: each allocation with what it leaves open. */
function paymentReceived(
  customerId: string,
  paymentId: string,
  allocations: { invoiceId: string; applied: string; openAfter: string }[],
): EventInitOf<typeof Topic.PaymentReceived> {
  const total = allocations.reduce((sum, a) => sum + Number(a.applied), 0).toFixed(2);
  return {
    customerId,
    occurredAt: timestampFromDate(new Date()),
    paymentId,
    amount: { amount: total, currency: 'CNY' },
    allocations: allocations.map((a) => ({
      invoiceId: a.invoiceId,
      applied: { amount: a.applied, currency: 'CNY' },
      rule: AllocationRule.EXPLICIT,
      invoiceNumber: `INV-${a.invoiceId.slice(0, 8)}`,
      invoiceOpenAfter: { amount: a.openAfter, currency: 'CNY' },
    })),
    unapplied: { amount: '0.00', currency: 'CNY' },
    reference: '',
    receivedAt: timestampFromDate(new Date()),
    source: { sourceSystem: 'api', externalId: randomUUID() },
  };
}

/**
 * ADR 0030 in notifications: payments owns open amounts, so its payment-received stops the chasing
 * of an invoice it settles in one hop, before invoicing has recorded the payment; invoicing's
 * events, in whatever order they come, never bring those reminders back until the payment is
 * reversed.
 */
describe('notifications: payment holds (payment-received stops reminders in one hop)', () => {
  let n: Notifications;
  const customerId = randomUUID();
  const due = dayFromToday(10, 'Asia/Shanghai');

  beforeAll(async () => {
    n = await startNotifications();
    await knownCustomer(n, customerId);
  });

  afterAll(async () => {
    await n?.close();
  });

  const scheduled = (invoiceId: string) =>
    remindersWhen(
      n,
      invoiceId,
      'five reminders scheduled',
      (r) => r.length === 5 && r.every((x) => x.status === 'scheduled'),
    );
  const allCancelled = (invoiceId: string) =>
    remindersWhen(
      n,
      invoiceId,
      'the reminders cancelled',
      (r) => r.length > 0 && r.every((x) => x.status === 'cancelled'),
    );

  it('cancels the reminders of a settled invoice on payment-received alone; a partial payment leaves them', async () => {
    const settled = randomUUID();
    const partial = randomUUID();
    await n.publish(Topic.InvoiceIssued, invoiceIssued(customerId, settled, due));
    await n.publish(Topic.InvoiceIssued, invoiceIssued(customerId, partial, due));
    await scheduled(settled);
    await scheduled(partial);

    const paymentId = randomUUID();
    await n.publish(
      Topic.PaymentReceived,
      paymentReceived(customerId, paymentId, [
        { invoiceId: settled, applied: '1130.00', openAfter: '0.00' },
        { invoiceId: partial, applied: '100.00', openAfter: '1030.00' },
      ]),
    );
    const cancelled = await allCancelled(settled);
    expect(cancelled.map((r) => r.reason)).toEqual(Array(5).fill('invoice_paid'));
    // Handled in the same transaction as the settled one: the partial invoice's plan is untouched.
    const [held] = await n.db.query<{ settles: boolean; released: boolean }[]>(
      `SELECT settles, released FROM invoice_payment_holds WHERE invoice_id = $1 AND payment_id = $2`,
      [partial, paymentId],
    );
    expect(held).toEqual({ settles: false, released: false });
    expect((await scheduled(partial)).every((r) => r.reason === null)).toBe(true);
  });

  it('keeps them cancelled when an older invoicing event about the invoice comes after the payment', async () => {
    const invoiceId = randomUUID();
    await n.publish(Topic.InvoiceIssued, invoiceIssued(customerId, invoiceId, due, { invoiceVersion: 1n }));
    await scheduled(invoiceId);
    await n.publish(
      Topic.PaymentReceived,
      paymentReceived(customerId, randomUUID(), [{ invoiceId, applied: '1130.00', openAfter: '0.00' }]),
    );
    await allCancelled(invoiceId);
    // invoicing's own change, from before it recorded the payment: still open, a later due date.
    const later = dayFromToday(20, 'Asia/Shanghai');
    await n.publish(
      Topic.InvoiceChanged,
      invoiceChanged(customerId, invoiceId, later, {
        invoiceVersion: 2n,
        changedFields: [InvoiceField.DUE_DATE],
      }),
    );
    await waitForProjection(invoiceId, later);
    const list = await remindersWhen(n, invoiceId, 'still nothing scheduled', (r) =>
      r.every((x) => x.status !== 'scheduled'),
    );
    expect(list.filter((r) => r.status === 'scheduled')).toEqual([]);
  });

  it("ends the hold on invoicing's invoice-paid naming the payment, and on a reversal, which lets reminders return", async () => {
    const reversedInvoice = randomUUID();
    const paidInvoice = randomUUID();
    await n.publish(Topic.InvoiceIssued, invoiceIssued(customerId, reversedInvoice, due));
    await n.publish(Topic.InvoiceIssued, invoiceIssued(customerId, paidInvoice, due));
    await scheduled(reversedInvoice);
    await scheduled(paidInvoice);
    const reversed = randomUUID();
    const recorded = randomUUID();
    await n.publish(
      Topic.PaymentReceived,
      paymentReceived(customerId, reversed, [
        { invoiceId: reversedInvoice, applied: '1130.00', openAfter: '0.00' },
      ]),
    );
    await n.publish(
      Topic.PaymentReceived,
      paymentReceived(customerId, recorded, [
        { invoiceId: paidInvoice, applied: '1130.00', openAfter: '0.00' },
      ]),
    );
    await allCancelled(reversedInvoice);
    await allCancelled(paidInvoice);

    // invoicing recorded one payment: the hold ends, the invoice is paid by invoicing's word.
    await n.publish(Topic.InvoicePaid, {
      ...invoicePaid(customerId, paidInvoice, due),
      paymentIds: [recorded],
    });
    await waitForHold(paidInvoice, recorded, { released: true });

    // The other is reversed before invoicing recorded it: invoicing's state (open) plans again.
    await n.publish(Topic.PaymentReversed, {
      customerId,
      occurredAt: timestampFromDate(new Date()),
      paymentId: reversed,
      amount: { amount: '1130.00', currency: 'CNY' },
      reversedAllocations: [{ invoiceId: reversedInvoice, amount: { amount: '1130.00', currency: 'CNY' } }],
      reversedUnapplied: { amount: '0.00', currency: 'CNY' },
      reason: ReversalReason.RETURNED,
      detail: 'returned by the bank',
      source: { sourceSystem: 'api', externalId: randomUUID() },
    });
    const back = await remindersWhen(n, reversedInvoice, 'reminders scheduled again', (r) =>
      r.some((x) => x.status === 'scheduled'),
    );
    expect(back.filter((r) => r.status === 'scheduled').length).toBeGreaterThan(0);
    await waitForHold(reversedInvoice, reversed, { released: true });
  });

  it('remembers a release that comes before its hold: the hold then holds nothing', async () => {
    const invoiceId = randomUUID();
    const paymentId = randomUUID();
    await n.publish(Topic.InvoiceIssued, invoiceIssued(customerId, invoiceId, due, { invoiceVersion: 1n }));
    await scheduled(invoiceId);
    // invoicing was faster than notifications' reading of the payments topic, and then reopened the
    // invoice (an ERP correction): the late payment-received must not stop its reminders.
    await n.publish(Topic.InvoicePaid, {
      ...invoicePaid(customerId, invoiceId, due),
      paymentIds: [paymentId],
      invoiceVersion: 2n,
    });
    await allCancelled(invoiceId);
    await n.publish(
      Topic.InvoiceChanged,
      invoiceChanged(customerId, invoiceId, due, {
        status: InvoiceStatus.OPEN,
        openAmount: { amount: '200.00', currency: 'CNY' },
        changedFields: [InvoiceField.STATUS, InvoiceField.OPEN_AMOUNT],
        invoiceVersion: 3n,
      }),
    );
    await remindersWhen(n, invoiceId, 'reminders again after the reopening', (r) =>
      r.some((x) => x.status === 'scheduled'),
    );
    await n.publish(
      Topic.PaymentReceived,
      paymentReceived(customerId, paymentId, [{ invoiceId, applied: '1130.00', openAfter: '0.00' }]),
    );
    await waitForHold(invoiceId, paymentId, { settles: true, released: true });
    const list = await remindersWhen(n, invoiceId, 'reminders still scheduled', (r) =>
      r.some((x) => x.status === 'scheduled'),
    );
    expect(list.some((r) => r.status === 'scheduled')).toBe(true);
  });

  async function waitForHold(
    invoiceId: string,
    paymentId: string,
    want: { settles?: boolean; released: boolean },
  ): Promise<void> {
    await waitFor(`the hold of ${paymentId} ${JSON.stringify(want)}`, async () => {
      const [row] = await n.db.query<{ settles: boolean; released: boolean }[]>(
        `SELECT settles, released FROM invoice_payment_holds WHERE invoice_id = $1 AND payment_id = $2`,
        [invoiceId, paymentId],
      );
      if (row === undefined) return undefined;
      const ok =
        row.released === want.released && (want.settles === undefined || row.settles === want.settles);
      return ok ? true : undefined;
    });
  }

  async function waitForProjection(invoiceId: string, dueDate: string): Promise<void> {
    await waitFor('the projection at the new due date', async () => {
      const [row] = await n.db.query<{ due: string }[]>(
        `SELECT to_char(due_date, 'YYYY-MM-DD') AS due FROM invoices WHERE invoice_id = $1`,
        [invoiceId],
      );
      return row?.due === dueDate ? true : undefined;
    });
  }
});
