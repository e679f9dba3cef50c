import fc from 'fast-check';
import { Money, sumMoney } from '@duemap/money';
import { PaymentsErrorCode, PaymentsException } from '../common/payments.exception';
import {
  applyExplicit,
  applyOldestDueFirst,
  checkRequestedAllocations,
  compareOldestDueFirst,
  isPayable,
  type PayableInvoice,
  type RequestedAllocation,
} from './cash-application';

const CUSTOMER = 'cust-1';
const cny = (amount: string): Money => Money.of(amount, 'CNY');

function invoice(overrides: Partial<PayableInvoice> & { invoiceId: string }): PayableInvoice {
  return {
    customerId: CUSTOMER,
    number: overrides.invoiceId.toUpperCase(),
    kind: 'invoice',
    status: 'open',
    currency: 'CNY',
    issueDate: '2025-01-01',
    dueDate: '2025-02-01',
    open: cny('100.00'),
    ...overrides,
  };
}

function caught(fn: () => unknown): PaymentsException {
  try {
    fn();
  } catch (err) {
    if (err instanceof PaymentsException) return err;
    throw err;
  }
  throw new Error('expected a PaymentsException');
}

describe('oldest due first', () => {
  it('settles the invoice due first first, then the next, and leaves the rest unapplied', () => {
    const invoices = [
      invoice({ invoiceId: 'late', dueDate: '2025-03-01', open: cny('300.00') }),
      invoice({ invoiceId: 'early', dueDate: '2025-01-15', open: cny('100.00') }),
      invoice({ invoiceId: 'middle', dueDate: '2025-02-01', open: cny('50.00') }),
    ];
    const result = applyOldestDueFirst(cny('500.00'), CUSTOMER, invoices);
    expect(result.allocations.map((a) => [a.invoiceId, a.applied.toDecimalString(), a.rule])).toEqual([
      ['early', '100.00', 'oldest_due_first'],
      ['middle', '50.00', 'oldest_due_first'],
      ['late', '300.00', 'oldest_due_first'],
    ]);
    expect(result.unapplied.toDecimalString()).toBe('50.00');
  });

  it('applies part of an invoice when the money runs out, and stops there', () => {
    const invoices = [
      invoice({ invoiceId: 'a', dueDate: '2025-01-01', open: cny('100.00') }),
      invoice({ invoiceId: 'b', dueDate: '2025-01-02', open: cny('100.00') }),
      invoice({ invoiceId: 'c', dueDate: '2025-01-03', open: cny('100.00') }),
    ];
    const result = applyOldestDueFirst(cny('150.00'), CUSTOMER, invoices);
    expect(
      result.allocations.map((a) => [
        a.invoiceId,
        a.applied.toDecimalString(),
        a.openAfter.toDecimalString(),
      ]),
    ).toEqual([
      ['a', '100.00', '0.00'],
      ['b', '50.00', '50.00'],
    ]);
    expect(result.unapplied.isZero()).toBe(true);
  });

  it('breaks due-date ties by issue date, then by number', () => {
    const invoices = [
      invoice({ invoiceId: 'x3', number: 'INV-3', issueDate: '2025-01-02' }),
      invoice({ invoiceId: 'x2', number: 'INV-2', issueDate: '2025-01-01' }),
      invoice({ invoiceId: 'x1', number: 'INV-1', issueDate: '2025-01-02' }),
    ];
    expect([...invoices].sort(compareOldestDueFirst).map((i) => i.invoiceId)).toEqual(['x2', 'x1', 'x3']);
  });

  it('skips void, paid, settled, credit notes, other currencies and other customers', () => {
    const payment = cny('1000.00');
    const skipped = [
      invoice({ invoiceId: 'void', status: 'void' }),
      invoice({ invoiceId: 'paid', status: 'paid' }),
      invoice({ invoiceId: 'zero', open: cny('0.00') }),
      invoice({ invoiceId: 'credit', kind: 'credit_note' }),
      invoice({ invoiceId: 'usd', currency: 'USD', open: Money.of('100.00', 'USD') }),
      invoice({ invoiceId: 'other', customerId: 'cust-2' }),
    ];
    for (const i of skipped) expect(isPayable(i, payment, CUSTOMER)).toBe(false);
    const result = applyOldestDueFirst(payment, CUSTOMER, [
      ...skipped,
      invoice({ invoiceId: 'ok', status: 'overdue' }),
    ]);
    expect(result.allocations.map((a) => a.invoiceId)).toEqual(['ok']);
    expect(result.unapplied.toDecimalString()).toBe('900.00');
  });

  it('leaves everything unapplied when nothing is open', () => {
    const result = applyOldestDueFirst(cny('10.00'), CUSTOMER, []);
    expect(result.allocations).toEqual([]);
    expect(result.unapplied.toDecimalString()).toBe('10.00');
  });

  // Properties over random open items and payments.
  const isoDate = fc
    .date({
      min: new Date('2024-01-01T00:00:00Z'),
      max: new Date('2026-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString().slice(0, 10));
  const openItem = fc.record({
    dueDate: fc.option(isoDate, { nil: null }),
    issueDate: fc.option(isoDate, { nil: null }),
    number: fc.string({ maxLength: 6 }),
    openMinor: fc.bigInt({ min: 0n, max: 10_000_000n }),
    status: fc.constantFrom('open', 'partially_paid', 'overdue', 'paid', 'void'),
  });
  const scenario = fc.record({
    paymentMinor: fc.bigInt({ min: 1n, max: 50_000_000n }),
    items: fc.array(openItem, { maxLength: 12 }),
  });

  type OpenItem = {
    dueDate: string | null;
    issueDate: string | null;
    number: string;
    openMinor: bigint;
    status: PayableInvoice['status'];
  };

  function build(items: OpenItem[]): PayableInvoice[] {
    return items.map((item, index) =>
      invoice({
        invoiceId: `inv-${index}`,
        number: item.number,
        dueDate: item.dueDate,
        issueDate: item.issueDate,
        status: item.status,
        open: Money.fromMinor(item.openMinor, 'CNY'),
      }),
    );
  }

  it('property: sum(applied) + unapplied = amount, nothing negative', () => {
    fc.assert(
      fc.property(scenario, ({ paymentMinor, items }) => {
        const payment = Money.fromMinor(paymentMinor, 'CNY');
        const result = applyOldestDueFirst(payment, CUSTOMER, build(items));
        const applied = sumMoney(
          result.allocations.map((a) => a.applied),
          'CNY',
        );
        expect(applied.add(result.unapplied).equals(payment)).toBe(true);
        expect(result.unapplied.isNegative()).toBe(false);
        for (const a of result.allocations) expect(a.applied.isPositive()).toBe(true);
      }),
    );
  });

  it('property: no invoice gets more than its open amount, and none twice', () => {
    fc.assert(
      fc.property(scenario, ({ paymentMinor, items }) => {
        const invoices = build(items);
        const byId = new Map(invoices.map((i) => [i.invoiceId, i]));
        const result = applyOldestDueFirst(Money.fromMinor(paymentMinor, 'CNY'), CUSTOMER, invoices);
        const ids = result.allocations.map((a) => a.invoiceId);
        expect(new Set(ids).size).toBe(ids.length);
        for (const a of result.allocations) {
          const target = byId.get(a.invoiceId);
          expect(target).toBeDefined();
          expect(a.applied.compare(target!.open)).toBeLessThanOrEqual(0);
          expect(isPayable(target!, Money.fromMinor(paymentMinor, 'CNY'), CUSTOMER)).toBe(true);
        }
      }),
    );
  });

  it('property: oldest first — every payable invoice before the last one touched is settled in full', () => {
    fc.assert(
      fc.property(scenario, ({ paymentMinor, items }) => {
        const payment = Money.fromMinor(paymentMinor, 'CNY');
        const invoices = build(items);
        const result = applyOldestDueFirst(payment, CUSTOMER, invoices);
        const payable = invoices.filter((i) => isPayable(i, payment, CUSTOMER)).sort(compareOldestDueFirst);
        // The allocations are a prefix of the payable invoices in due order...
        expect(result.allocations.map((a) => a.invoiceId)).toEqual(
          payable.slice(0, result.allocations.length).map((i) => i.invoiceId),
        );
        // ...all but the last settled in full, and unapplied money only when every one is settled.
        result.allocations.slice(0, -1).forEach((a, index) => {
          expect(a.applied.equals(payable[index]!.open)).toBe(true);
        });
        if (result.unapplied.isPositive()) {
          expect(result.allocations.length).toBe(payable.length);
          result.allocations.forEach((a, index) => expect(a.applied.equals(payable[index]!.open)).toBe(true));
        }
      }),
    );
  });
});

describe('explicit allocations', () => {
  const invoices = new Map(
    [
      invoice({ invoiceId: 'a', open: cny('100.00') }),
      invoice({ invoiceId: 'b', open: cny('200.00') }),
      invoice({ invoiceId: 'theirs', customerId: 'cust-2' }),
      invoice({ invoiceId: 'void', status: 'void' }),
      invoice({ invoiceId: 'paid', status: 'paid', open: cny('0.00') }),
      invoice({ invoiceId: 'credit', kind: 'credit_note', open: cny('0.00') }),
      invoice({ invoiceId: 'usd', currency: 'USD', open: Money.of('100.00', 'USD') }),
    ].map((i) => [i.invoiceId, i]),
  );
  const alloc = (invoiceId: string, amount: string, currency = 'CNY'): RequestedAllocation => ({
    invoiceId,
    amount: Money.of(amount, currency),
  });

  it('applies them as given, in order, with the rest unapplied', () => {
    const result = applyExplicit(
      cny('500.00'),
      CUSTOMER,
      [alloc('b', '150.00'), alloc('a', '100.00')],
      invoices,
    );
    expect(
      result.allocations.map((a) => [a.invoiceId, a.invoiceNumber, a.applied.toDecimalString(), a.rule]),
    ).toEqual([
      ['b', 'B', '150.00', 'explicit'],
      ['a', 'A', '100.00', 'explicit'],
    ]);
    expect(result.unapplied.toDecimalString()).toBe('250.00');
  });

  it.each([
    [
      'unknown invoice',
      [alloc('nope', '1.00')],
      PaymentsErrorCode.InvoiceNotFound,
      'allocations[0].invoiceId',
    ],
    [
      'another customer',
      [alloc('theirs', '1.00')],
      PaymentsErrorCode.InvoiceOfAnotherCustomer,
      'allocations[0].invoiceId',
    ],
    ['void invoice', [alloc('void', '1.00')], PaymentsErrorCode.InvoiceVoided, 'allocations[0].invoiceId'],
    [
      'paid invoice',
      [alloc('paid', '1.00')],
      PaymentsErrorCode.InvoiceAlreadyPaid,
      'allocations[0].invoiceId',
    ],
    [
      'credit note',
      [alloc('credit', '1.00')],
      PaymentsErrorCode.CreditNoteNotPayable,
      'allocations[0].invoiceId',
    ],
    [
      'more than open',
      [alloc('a', '50.00'), alloc('b', '200.01')],
      PaymentsErrorCode.AllocationExceedsOpenAmount,
      'allocations[1].amount',
    ],
  ])('refuses %s', (_name, requested, code, field) => {
    const error = caught(() => applyExplicit(cny('1000.00'), CUSTOMER, requested, invoices));
    expect(error.code).toBe(code);
    expect(error.status).toBe(code === PaymentsErrorCode.InvoiceNotFound ? 404 : 422);
    expect(error.details[0]?.field).toBe(field);
  });

  it('refuses an invoice in another currency than the allocation', () => {
    const usdInvoices = new Map([['usd', invoices.get('usd')!]]);
    const error = caught(() => applyExplicit(cny('10.00'), CUSTOMER, [alloc('usd', '1.00')], usdInvoices));
    expect(error.code).toBe(PaymentsErrorCode.CurrencyMismatch);
    expect(error.details[0]?.field).toBe('allocations[0].amount.currency');
  });

  it.each([
    [
      'another currency than the payment',
      [alloc('a', '1.00', 'USD')],
      PaymentsErrorCode.CurrencyMismatch,
      'allocations[0].amount.currency',
    ],
    ['a zero amount', [alloc('a', '0')], PaymentsErrorCode.AmountNotPositive, 'allocations[0].amount'],
    [
      'the same invoice twice',
      [alloc('a', '1.00'), alloc('a', '2.00')],
      PaymentsErrorCode.DuplicateAllocation,
      'allocations[1].invoiceId',
    ],
    [
      'more than the payment',
      [alloc('a', '60.00'), alloc('b', '40.01')],
      PaymentsErrorCode.AllocationsExceedPayment,
      'allocations',
    ],
  ])('refuses %s before looking at invoices', (_name, requested, code, field) => {
    const error = caught(() => checkRequestedAllocations(cny('100.00'), requested));
    expect(error.code).toBe(code);
    expect(error.status).toBe(422);
    expect(error.details[0]?.field).toBe(field);
  });

  it('accepts allocations adding up to exactly the payment', () => {
    const result = applyExplicit(
      cny('300.00'),
      CUSTOMER,
      [alloc('a', '100.00'), alloc('b', '200.00')],
      invoices,
    );
    expect(result.unapplied.isZero()).toBe(true);
  });

  it('property: whatever is accepted keeps the invariant and never over-allocates', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 1_000_000n }),
        fc.array(
          fc.record({
            open: fc.bigInt({ min: 0n, max: 500_000n }),
            ask: fc.bigInt({ min: 1n, max: 500_000n }),
          }),
          {
            maxLength: 8,
          },
        ),
        (paymentMinor, rows) => {
          const payment = Money.fromMinor(paymentMinor, 'CNY');
          const map = new Map(
            rows.map((r, i) => [
              `i${i}`,
              invoice({ invoiceId: `i${i}`, open: Money.fromMinor(r.open, 'CNY') }),
            ]),
          );
          const requested = rows.map((r, i) => ({
            invoiceId: `i${i}`,
            amount: Money.fromMinor(r.ask, 'CNY'),
          }));
          let result;
          try {
            result = applyExplicit(payment, CUSTOMER, requested, map);
          } catch (err) {
            expect(err).toBeInstanceOf(PaymentsException);
            const overOpen = rows.some((r) => r.ask > r.open);
            const overPayment = rows.reduce((s, r) => s + r.ask, 0n) > paymentMinor;
            expect(overOpen || overPayment).toBe(true);
            return;
          }
          const applied = sumMoney(
            result.allocations.map((a) => a.applied),
            'CNY',
          );
          expect(applied.add(result.unapplied).equals(payment)).toBe(true);
          expect(result.unapplied.isNegative()).toBe(false);
          for (const a of result.allocations)
            expect(a.applied.compare(map.get(a.invoiceId)!.open)).toBeLessThanOrEqual(0);
        },
      ),
    );
  });
});
