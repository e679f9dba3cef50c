import {
  ArStatus,
  InvoiceField,
  InvoiceStatus,
  ReversalReason,
  Topic,
  type StatusChanged,
} from '@duemap/events';
import { waitFor } from '@duemap/testing';
import { randomUUID } from 'node:crypto';
import { cny, shenzhen, startCustomers, type ApiBody, type CustomersHarness } from './customers-harness';

/**
 * ADR 0030 in customers: payments owns open amounts, so the balance and the AR status (and with
 * them the pin) follow payment-received at once, without waiting for invoicing to record the
 * payment; when invoicing's event that records it comes, nothing counts twice, whatever the order.
 */
describe('customers: payments’ allocations count at once (payment → status in one hop)', () => {
  let h: CustomersHarness;

  beforeAll(async () => {
    h = await startCustomers('customers_allocations');
  });

  afterAll(async () => {
    await h?.close();
  });

  async function newCustomer(): Promise<string> {
    const res = await h.put(`/api/v1/customers/sap-ecc-cn/ALLOC-${randomUUID().slice(0, 8)}`, {
      name: 'Allocation Co',
      address: shenzhen,
    });
    return res.body.id;
  }
  const until = (customerId: string, what: string, check: (c: ApiBody) => boolean) =>
    waitFor(what, async () => {
      const c = (await h.get(`/api/v1/customers/${customerId}`)).body;
      return check(c) ? c : undefined;
    });
  const statuses = (customerId: string) =>
    h.seen
      .filter((s) => s.topic === Topic.StatusChanged && s.key === customerId)
      .map((s) => (s.event as StatusChanged).status);
  const invoice = (customerId: string, invoiceId: string, open: string, total = open) => ({
    customerId,
    invoiceId,
    number: invoiceId.slice(0, 8).toUpperCase(),
    total: cny(total),
    openAmount: cny(open),
    status: InvoiceStatus.OPEN,
  });
  const payment = (customerId: string, paymentId: string, invoiceId: string, applied: string) => ({
    customerId,
    paymentId,
    amount: cny(applied),
    allocations: [{ invoiceId, applied: cny(applied), invoiceNumber: invoiceId.slice(0, 8).toUpperCase() }],
    unapplied: cny('0.00'),
  });
  const recorded = (
    customerId: string,
    invoiceId: string,
    open: string,
    total: string,
    paymentId: string,
  ) => ({
    ...invoice(customerId, invoiceId, open, total),
    status: open === '0.00' ? InvoiceStatus.PAID : InvoiceStatus.PARTIALLY_PAID,
    changedFields: [InvoiceField.OPEN_AMOUNT, InvoiceField.STATUS],
    recordedPaymentIds: [paymentId],
    invoiceVersion: 2n,
  });

  it('turns an overdue customer paid on payment-received alone, and invoicing recording it changes nothing', async () => {
    const customerId = await newCustomer();
    const invoiceId = randomUUID();
    await h.publish(Topic.InvoiceIssued, { ...invoice(customerId, invoiceId, '300.00'), invoiceVersion: 1n });
    await h.publish(Topic.InvoiceOverdue, {
      customerId,
      invoiceId,
      openAmount: cny('300.00'),
      total: cny('300.00'),
      timeZone: 'Asia/Shanghai',
      // Each change of an invoice has its own version (topics are not ordered between them).
      invoiceVersion: 2n,
    });
    await until(customerId, 'overdue', (c) => c.status === 'overdue');

    const paymentId = randomUUID();
    await h.publish(Topic.PaymentReceived, payment(customerId, paymentId, invoiceId, '300.00'));
    const paid = await until(customerId, 'paid by the payment alone', (c) => c.status === 'paid');
    expect(paid.balance).toEqual({
      outstanding: cny('0.00'),
      overdue: cny('0.00'),
      unappliedCredit: cny('0.00'),
    });
    await waitFor('status-changed PAID', () =>
      statuses(customerId).at(-1) === ArStatus.PAID ? true : undefined,
    );

    const record = await h.publish(Topic.InvoiceChanged, {
      ...recorded(customerId, invoiceId, '0.00', '300.00', paymentId),
      invoiceVersion: 3n,
    });
    await h.handled(record);
    const [row] = (
      await h.sql.query(`SELECT released FROM payment_allocations WHERE payment_id = $1`, [paymentId])
    ).rows as { released: boolean }[];
    expect(row).toEqual({ released: true });
    const after = (await h.get(`/api/v1/customers/${customerId}`)).body;
    expect([after.status, after.balance.outstanding]).toEqual(['paid', cny('0.00')]);
    expect(statuses(customerId).filter((s) => s === ArStatus.PAID)).toHaveLength(1);
  });

  it('counts a partial payment once: before invoicing records it and after', async () => {
    const customerId = await newCustomer();
    const invoiceId = randomUUID();
    await h.publish(Topic.InvoiceIssued, { ...invoice(customerId, invoiceId, '500.00'), invoiceVersion: 1n });
    await until(customerId, 'unpaid 500', (c) => c.balance?.outstanding?.amount === '500.00');
    const paymentId = randomUUID();
    await h.publish(Topic.PaymentReceived, payment(customerId, paymentId, invoiceId, '200.00'));
    const partly = await until(
      customerId,
      'outstanding 300',
      (c) => c.balance.outstanding.amount === '300.00',
    );
    expect(partly.status).toBe('unpaid');
    const record = await h.publish(
      Topic.InvoiceChanged,
      recorded(customerId, invoiceId, '300.00', '500.00', paymentId),
    );
    await h.handled(record);
    expect((await h.get(`/api/v1/customers/${customerId}`)).body.balance.outstanding).toEqual(cny('300.00'));
  });

  it('turns the customer back on a reversal that comes before invoicing recorded the payment', async () => {
    const customerId = await newCustomer();
    const invoiceId = randomUUID();
    await h.publish(Topic.InvoiceIssued, { ...invoice(customerId, invoiceId, '100.00'), invoiceVersion: 1n });
    await until(customerId, 'unpaid', (c) => c.status === 'unpaid');
    const paymentId = randomUUID();
    await h.publish(Topic.PaymentReceived, payment(customerId, paymentId, invoiceId, '100.00'));
    await until(customerId, 'paid', (c) => c.status === 'paid');
    await h.publish(Topic.PaymentReversed, {
      customerId,
      paymentId,
      amount: cny('100.00'),
      reversedAllocations: [{ invoiceId, amount: cny('100.00') }],
      reversedUnapplied: cny('0.00'),
      reason: ReversalReason.RETURNED,
    });
    const back = await until(customerId, 'unpaid again', (c) => c.status === 'unpaid');
    expect(back.balance.outstanding).toEqual(cny('100.00'));
  });

  it('keeps a release that comes before the allocation: a late payment-received counts nothing', async () => {
    const customerId = await newCustomer();
    const invoiceId = randomUUID();
    const paymentId = randomUUID();
    await h.publish(Topic.InvoiceIssued, { ...invoice(customerId, invoiceId, '400.00'), invoiceVersion: 1n });
    await until(customerId, 'unpaid 400', (c) => c.balance?.outstanding?.amount === '400.00');
    // invoicing recorded half of it before customers read the payments topic.
    await h.publish(Topic.InvoiceChanged, recorded(customerId, invoiceId, '200.00', '400.00', paymentId));
    await until(customerId, 'outstanding 200', (c) => c.balance.outstanding.amount === '200.00');
    const late = await h.publish(Topic.PaymentReceived, payment(customerId, paymentId, invoiceId, '200.00'));
    await h.handled(late);
    const c = (await h.get(`/api/v1/customers/${customerId}`)).body;
    expect([c.status, c.balance.outstanding]).toEqual(['unpaid', cny('200.00')]);
  });
});
