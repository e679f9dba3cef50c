import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  AllocationRejectedSchema,
  InvoiceChangedSchema,
  InvoiceIssuedSchema,
  InvoiceOverdueSchema,
  InvoicePaidSchema,
  InvoiceStatus,
  InvoiceVoidedSchema,
  PaymentReceivedSchema,
  PaymentReversedSchema,
  RefundIssuedSchema,
} from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import {
  allocationRejectedFact,
  invoiceOverdueFact,
  invoicePaidFact,
  invoiceStateFact,
  invoiceVoidedFact,
  paymentAllocationFacts,
  paymentReceivedFact,
  paymentReversedFact,
  recordedAllocationFacts,
  refundIssuedFact,
  rejectedAllocationFacts,
  reversedAllocationFacts,
} from './balance-facts';

const CUSTOMER = '0B6F8F1E-3C1A-4F7E-9A51-2F4B7C9D1E02';
const at = new Date('2025-03-31T08:15:30.123Z');
const occurredAt = timestampFromDate(at);
const cny = (amount: string) => ({ amount, currency: 'CNY' });

describe('invoice facts', () => {
  it('takes the full state from invoice-issued and invoice-changed', () => {
    const issued = create(InvoiceIssuedSchema, {
      customerId: CUSTOMER,
      occurredAt,
      invoiceId: 'inv-1',
      total: cny('100.00'),
      openAmount: cny('80.00'),
      status: InvoiceStatus.OVERDUE,
      invoiceVersion: 7n,
    });
    expect(invoiceStateFact(issued)).toEqual({
      invoiceId: 'inv-1',
      customerId: CUSTOMER.toLowerCase(),
      version: 7n,
      occurredAt: at,
      currency: 'CNY',
      openMinor: 8000n,
      overdue: true,
      void: false,
    });
    const moved = create(InvoiceChangedSchema, {
      customerId: CUSTOMER,
      occurredAt,
      invoiceId: 'inv-1',
      openAmount: cny('0'),
      status: InvoiceStatus.VOID,
      previousCustomerId: 'other',
    });
    expect(invoiceStateFact(moved)).toMatchObject({ openMinor: 0n, void: true, previousCustomerId: 'other' });
  });

  it('reads credit notes as negative open amounts', () => {
    const note = create(InvoiceIssuedSchema, {
      customerId: CUSTOMER,
      occurredAt,
      invoiceId: 'cn-1',
      total: cny('-20.00'),
      openAmount: cny('-20.00'),
      status: InvoiceStatus.OPEN,
    });
    expect(invoiceStateFact(note).openMinor).toBe(-2000n);
  });

  it('paid sets open to zero, overdue sets the flag, voided only voids', () => {
    const base = { customerId: CUSTOMER, occurredAt, invoiceId: 'inv-1' };
    expect(invoicePaidFact(create(InvoicePaidSchema, { ...base, total: cny('100.00') }))).toMatchObject({
      currency: 'CNY',
      openMinor: 0n,
      overdue: false,
    });
    expect(
      invoiceOverdueFact(
        create(InvoiceOverdueSchema, { ...base, openAmount: cny('60.00'), total: cny('100.00') }),
      ),
    ).toMatchObject({ openMinor: 6000n, overdue: true });
    const voided = invoiceVoidedFact(create(InvoiceVoidedSchema, { ...base, total: cny('100.00') }));
    expect(voided).toMatchObject({ void: true, currency: 'CNY' });
    expect(voided.openMinor).toBeUndefined();
    expect(voided.overdue).toBeUndefined();
  });

  it('dead-letters events whose amounts can never be applied', () => {
    const bad = create(InvoiceIssuedSchema, {
      customerId: CUSTOMER,
      occurredAt,
      invoiceId: 'inv-1',
      openAmount: { amount: '1.001', currency: 'CNY' },
    });
    expect(() => invoiceStateFact(bad)).toThrow(FatalEventError);
    const missing = create(InvoiceOverdueSchema, { customerId: CUSTOMER, occurredAt, invoiceId: 'inv-1' });
    expect(() => invoiceOverdueFact(missing)).toThrow(/open_amount is not set/);
  });
});

describe('credit facts', () => {
  it('payment-received adds its unapplied part, once per payment', () => {
    const fact = paymentReceivedFact(
      create(PaymentReceivedSchema, {
        customerId: CUSTOMER,
        occurredAt,
        paymentId: 'pay-1',
        amount: cny('150.00'),
        unapplied: cny('50.00'),
      }),
    );
    expect(fact).toMatchObject({
      entryKey: 'payment/pay-1/unapplied',
      amountMinor: 5000n,
      kind: 'payment-unapplied',
    });
    const noUnapplied = paymentReceivedFact(
      create(PaymentReceivedSchema, {
        customerId: CUSTOMER,
        occurredAt,
        paymentId: 'p',
        amount: cny('1.00'),
      }),
    );
    expect(noUnapplied).toMatchObject({ amountMinor: 0n, currency: 'CNY' });
  });

  it('allocation-rejected adds, reversal and refund remove', () => {
    const base = { customerId: CUSTOMER, occurredAt, paymentId: 'pay-1' };
    expect(
      allocationRejectedFact(
        create(AllocationRejectedSchema, {
          ...base,
          invoiceId: 'inv-9',
          requested: cny('30'),
          rejected: cny('30'),
        }),
      ),
    ).toMatchObject({ entryKey: 'payment/pay-1/rejected/inv-9', amountMinor: 3000n });
    expect(
      paymentReversedFact(
        create(PaymentReversedSchema, { ...base, amount: cny('150.00'), reversedUnapplied: cny('50.00') }),
      ),
    ).toMatchObject({ entryKey: 'payment/pay-1/reversed', amountMinor: -5000n });
    expect(
      refundIssuedFact(create(RefundIssuedSchema, { ...base, refundId: 'ref-1', amount: cny('20.00') })),
    ).toMatchObject({ entryKey: 'refund/ref-1', amountMinor: -2000n, paymentId: 'pay-1' });
  });
});

describe('allocation facts (ADR 0030)', () => {
  const customerId = CUSTOMER.toLowerCase();

  it("counts each of payment-received's allocations, and refuses a malformed amount (DLQ)", () => {
    const event = create(PaymentReceivedSchema, {
      customerId: CUSTOMER,
      occurredAt,
      paymentId: 'pay-1',
      amount: cny('150.00'),
      allocations: [
        { invoiceId: 'inv-1', applied: cny('100.00') },
        { invoiceId: 'inv-2', applied: cny('50.00') },
      ],
    });
    expect(paymentAllocationFacts(event)).toEqual([
      {
        paymentId: 'pay-1',
        invoiceId: 'inv-1',
        customerId,
        applied: { currency: 'CNY', minor: 10000n },
        release: false,
      },
      {
        paymentId: 'pay-1',
        invoiceId: 'inv-2',
        customerId,
        applied: { currency: 'CNY', minor: 5000n },
        release: false,
      },
    ]);
    const bad = create(PaymentReceivedSchema, {
      customerId: CUSTOMER,
      occurredAt,
      paymentId: 'pay-1',
      amount: cny('1.23'),
      allocations: [{ invoiceId: 'inv-1', applied: cny('1.234') }],
    });
    expect(() => paymentAllocationFacts(bad)).toThrow(FatalEventError);
  });

  it('releases the payments invoicing records, reverses or rejects', () => {
    const release = (paymentId: string, invoiceId: string) => ({
      paymentId,
      invoiceId,
      customerId,
      release: true,
    });
    const changed = create(InvoiceChangedSchema, {
      customerId: CUSTOMER,
      occurredAt,
      invoiceId: 'inv-1',
      recordedPaymentIds: ['pay-1'],
    });
    expect(recordedAllocationFacts(changed)).toEqual([release('pay-1', 'inv-1')]);
    // A change that records no payment (a due-date correction) releases nothing.
    expect(
      recordedAllocationFacts(create(InvoiceChangedSchema, { ...changed, recordedPaymentIds: [] })),
    ).toEqual([]);
    const paid = create(InvoicePaidSchema, {
      customerId: CUSTOMER,
      occurredAt,
      invoiceId: 'inv-1',
      paymentIds: ['pay-0', 'pay-1'],
    });
    expect(recordedAllocationFacts(paid)).toEqual([release('pay-0', 'inv-1'), release('pay-1', 'inv-1')]);
    const reversed = create(PaymentReversedSchema, {
      customerId: CUSTOMER,
      occurredAt,
      paymentId: 'pay-1',
      reversedAllocations: [{ invoiceId: 'inv-1', amount: cny('100.00') }],
    });
    expect(reversedAllocationFacts(reversed)).toEqual([release('pay-1', 'inv-1')]);
    const rejected = create(AllocationRejectedSchema, {
      customerId: CUSTOMER,
      occurredAt,
      paymentId: 'pay-1',
      invoiceId: 'inv-2',
    });
    expect(rejectedAllocationFacts(rejected)).toEqual([release('pay-1', 'inv-2')]);
  });
});
