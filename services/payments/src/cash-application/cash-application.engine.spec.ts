import { Money } from '@duemap/money';
import fc from 'fast-check';
import { PaymentsErrorCode, PaymentsException } from '../common/payments.exception';
import { CashApplicationEngine } from './cash-application.engine';
import type {
  CashApplicationResult,
  CustomerProfile,
  OpenInvoice,
  PaymentCandidate,
} from './cash-application.types';
import { creditorReferenceFor } from './creditor-reference';
import { InMemoryOpenItems } from './in-memory-open-items';
import { generateLabelledSet } from './testing/labelled-set';

const cny = (amount: string): Money => Money.of(amount, 'CNY');

function invoice(
  invoiceId: string,
  number: string,
  customerId: string,
  open: string,
  dueDate: string,
  extra: Partial<OpenInvoice> = {},
): OpenInvoice {
  const currency = extra.currency ?? 'CNY';
  return {
    invoiceId,
    number,
    customerId,
    currency,
    open: Money.of(open, currency),
    dueDate,
    issueDate: null,
    status: 'open',
    kind: 'invoice',
    ...extra,
  };
}

const customers: CustomerProfile[] = [
  {
    customerId: 'hualian',
    names: ['上海华联电子科技有限公司', 'Shanghai Hualian Electronics Co., Ltd.'],
    accounts: ['6222 0210 0101 2345'],
  },
  { customerId: 'hualian-trade', names: ['上海华联贸易有限公司'], accounts: [] },
  { customerId: 'acme', names: ['Acme Trading Co., Ltd.'], accounts: ['DE89 3704 0044 0532 0130 00'] },
];
const invoices: OpenInvoice[] = [
  invoice('i1', 'INV-2026-004217', 'hualian', '1000.37', '2026-10-01'),
  invoice('i2', 'INV-2026-004218', 'hualian', '250.50', '2026-11-01'),
  invoice('i3', 'INV-2026-004219', 'hualian', '3300.00', '2026-12-01'),
  invoice('i4', 'INV-2026-004220', 'hualian', '0.00', '2026-09-01', { status: 'paid' }),
  invoice('i5', 'INV-2026-004221', 'hualian', '99.00', '2026-09-15', { currency: 'USD' }),
  invoice('i6', 'INV-2026-004212', 'hualian', '0.00', '2026-08-01', { status: 'paid' }),
  invoice('i7', 'INV-2026-005555', 'hualian', '123.45', '2027-01-15'),
  invoice('t1', 'YS-2611-00042', 'hualian-trade', '4321.09', '2026-10-20'),
  invoice('a1', 'AR2026110042', 'acme', '777.77', '2026-09-01'),
  invoice('a2', 'AR2026110043', 'acme', '100.00', '2026-10-01'),
  invoice('a3', 'AR2026110044', 'acme', '200.00', '2026-10-15'),
];

const engine = new CashApplicationEngine(new InMemoryOpenItems(customers, invoices));
const pay = (amount: string, rest: Partial<PaymentCandidate> = {}): PaymentCandidate => ({
  amount: cny(amount),
  receivedOn: '2026-12-03',
  ...rest,
});
const split = (r: CashApplicationResult): Record<string, string> =>
  Object.fromEntries(r.allocations.map((a) => [a.invoiceId, a.amount.toDecimalString()]));

describe('CashApplicationEngine', () => {
  describe('(1) explicit allocations', () => {
    it('applies the payer’s split with confidence 1 and leaves the rest unapplied', async () => {
      const r = await engine.apply(
        pay('1500.00', { customerId: 'hualian', allocations: [{ invoiceId: 'i2', amount: cny('250.50') }] }),
      );
      expect(split(r)).toEqual({ i2: '250.50' });
      expect(r.allocations[0]).toMatchObject({ rule: 'explicit', confidence: 1 });
      expect(r.unapplied.toDecimalString()).toBe('1249.50');
      expect(r.decision).toBe('auto_apply');
    });

    it.each([
      [
        { invoiceId: 'a1', amount: cny('1.00') },
        PaymentsErrorCode.InvoiceOfAnotherCustomer,
        'allocations[0].invoiceId',
      ],
      [
        { invoiceId: 'i2', amount: cny('300.00') },
        PaymentsErrorCode.AllocationExceedsOpenAmount,
        'allocations[0].amount',
      ],
      [
        { invoiceId: 'i4', amount: cny('1.00') },
        PaymentsErrorCode.InvoiceAlreadyPaid,
        'allocations[0].invoiceId',
      ],
      [
        { invoiceId: 'i5', amount: cny('1.00') },
        PaymentsErrorCode.CurrencyMismatch,
        'allocations[0].amount.currency',
      ],
      [
        { invoiceId: 'nope', amount: cny('1.00') },
        PaymentsErrorCode.InvoiceNotFound,
        'allocations[0].invoiceId',
      ],
      [
        { invoiceId: 'i2', amount: Money.of('1.00', 'USD') },
        PaymentsErrorCode.CurrencyMismatch,
        'allocations[0].amount.currency',
      ],
      [
        { invoiceId: 'i2', amount: cny('5000.00') },
        PaymentsErrorCode.AllocationsExceedPayment,
        'allocations',
      ],
    ])('refuses %j with %s naming %s', async (allocation, code, field) => {
      const attempt = engine.apply(pay('1500.00', { customerId: 'hualian', allocations: [allocation] }));
      await expect(attempt).rejects.toBeInstanceOf(PaymentsException);
      await expect(attempt).rejects.toMatchObject({ code, details: [expect.objectContaining({ field })] });
    });

    it('refuses a payment that is not positive', async () => {
      await expect(engine.apply(pay('0.00'))).rejects.toMatchObject({
        code: PaymentsErrorCode.AmountNotPositive,
      });
    });
  });

  describe('(2) invoice numbers and references', () => {
    it('reads an OCR-damaged number and says what it corrected', async () => {
      const r = await engine.apply(pay('1000.37', { remittanceText: '货款 发票号 lNV-2O26-0O4217' }));
      expect(split(r)).toEqual({ i1: '1000.37' });
      expect(r.allocations[0]?.rule).toBe('invoice_reference');
      expect(r.allocations[0]?.evidence[0]).toBe(
        'remittance contains INV-2026-004217 as "lNV-2O26-0O4217" (l→I, O→0 corrected)',
      );
      expect(r.customer).toMatchObject({ customerId: 'hualian', rule: 'invoice_reference' });
      expect(r.decision).toBe('auto_apply');
    });

    it('pays several referenced invoices in full', async () => {
      const r = await engine.apply(pay('1250.87', { remittanceText: 'INV 2026 004217, No.2026-004218' }));
      expect(split(r)).toEqual({ i1: '1000.37', i2: '250.50' });
      expect(r.decision).toBe('auto_apply');
    });

    it('applies a partial payment to the one invoice named', async () => {
      const r = await engine.apply(pay('400.00', { remittanceText: 'INV-2026-004219' }));
      expect(split(r)).toEqual({ i3: '400.00' });
      expect(r.allocations[0]?.evidence).toContain('partial payment: 400.00 CNY of 3300.00 CNY open');
      expect(r.decision).toBe('auto_apply');
    });

    it('asks a person when a part payment of the invoice named is exactly another invoice’s amount', async () => {
      // INV-2026-004219 has 3300.00 open; 123.45 is exactly INV-2026-005555 (not one typo away).
      const r = await engine.apply(pay('123.45', { remittanceText: 'INV-2026-004219' }));
      expect(split(r)).toEqual({ i3: '123.45' });
      expect(r.reviewReasons).toContain('ambiguous_reference');
      expect(r.decision).toBe('needs_review');
    });

    it('decodes a valid RF creditor reference', async () => {
      const rf = creditorReferenceFor('AR2026110042');
      const r = await engine.apply(pay('777.77', { creditorReference: rf.replace(/(.{4})/g, '$1 ') }));
      expect(split(r)).toEqual({ a1: '777.77' });
      expect(r.allocations[0]?.confidence).toBeGreaterThanOrEqual(0.99);
      expect(r.allocations[0]?.evidence[0]).toContain(`creditor reference ${rf}`);
    });

    it('reads the invoice numbers of structured remittance (document numbers) like written ones, once each', async () => {
      const structured = await engine.apply(
        pay('1250.87', { remittanceText: null, documentNumbers: ['INV-2026-004217', 'INV-2026-004218'] }),
      );
      expect(split(structured)).toEqual({ i1: '1000.37', i2: '250.50' });
      expect(structured.allocations[0]?.evidence[0]).toContain('document number');
      expect(structured.decision).toBe('auto_apply');
      // Named in both places: still one allocation of it.
      const both = await engine.apply(
        pay('1000.37', { remittanceText: 'INV-2026-004217', documentNumbers: ['INV-2026-004217'] }),
      );
      expect(split(both)).toEqual({ i1: '1000.37' });
    });

    it('accepts one typo only when the amount or the payer confirms it', async () => {
      const confirmed = await engine.apply(pay('777.77', { remittanceText: 'AR2026110024' }));
      expect(split(confirmed)).toEqual({ a1: '777.77' });
      expect(confirmed.allocations[0]?.evidence[0]).toContain('(one typo)');
      expect(confirmed.decision).toBe('auto_apply');
      const unconfirmed = await engine.apply(pay('12.34', { remittanceText: 'AR2026110024' }));
      expect(unconfirmed.allocations).toEqual([]);
      expect(unconfirmed.decision).toBe('needs_review');
    });

    it('prefers the neighbour one typo away when the number written does not fit and the neighbour’s amount does', async () => {
      // 004212 exists but is paid; 004217, one typo away, has exactly the payment open.
      const paid = await engine.apply(pay('1000.37', { remittanceText: 'INV-2026-004212' }));
      expect(split(paid)).toEqual({ i1: '1000.37' });
      expect(paid.evidence[0]).toContain('INV-2026-004212 as written does not fit (it is paid)');
      expect(paid.decision).toBe('auto_apply');
      // 004218 is open but for 250.50: the payment is 004217's amount.
      const other = await engine.apply(pay('1000.37', { remittanceText: 'INV-2026-004218' }));
      expect(split(other)).toEqual({ i1: '1000.37' });
      expect(other.evidence[0]).toContain('it has 250.50 CNY open');
    });

    it('sends a reference to a paid invoice or one in another currency to review, never converting', async () => {
      const paid = await engine.apply(pay('58.00', { remittanceText: 'INV-2026-004220' }));
      expect(paid.reviewReasons).toContain('reference_not_open');
      expect(paid.decision).toBe('needs_review');
      const usd = await engine.apply(pay('99.00', { remittanceText: 'INV-2026-004221' }));
      expect(usd.reviewReasons).toContain('reference_other_currency');
      expect(usd.allocations.every((a) => a.amount.currency === 'CNY')).toBe(true);
      expect(usd.decision).toBe('needs_review');
    });

    it('does not take an order number for an invoice number', async () => {
      const r = await engine.apply(pay('58.13', { remittanceText: 'PO 2026004217' }));
      expect(r.allocations).toEqual([]);
    });
  });

  describe('(3) amounts', () => {
    it('matches a combination of one customer’s invoices', async () => {
      const r = await engine.apply(pay('877.77', { payerName: 'ACME TRADING CO LTD' }));
      expect(split(r)).toEqual({ a1: '777.77', a2: '100.00' });
      expect(r.allocations[0]?.rule).toBe('amount_combination');
      expect(r.customer?.rule).toBe('payer_name');
      expect(r.decision).toBe('auto_apply');
    });

    it('sends a tie between two combinations to review, suggesting the oldest', async () => {
      // 300.00 = x1 + x2 = x3 + x4.
      const view = new InMemoryOpenItems(customers, [
        invoice('x1', 'AR1', 'acme', '100.00', '2026-09-01'),
        invoice('x2', 'AR2', 'acme', '200.00', '2026-09-02'),
        invoice('x3', 'AR3', 'acme', '150.00', '2026-09-03'),
        invoice('x4', 'AR4', 'acme', '150.00', '2026-09-04'),
      ]);
      const r = await new CashApplicationEngine(view).apply(
        pay('300.00', { payerAccount: 'DE89370400440532013000' }),
      );
      expect(split(r)).toEqual({ x1: '100.00', x2: '200.00' });
      expect(r.reviewReasons).toContain('ambiguous_amount');
      expect(r.decision).toBe('needs_review');
    });

    it('does not match the amount of an invoice issued after the money was sent', async () => {
      const view = new InMemoryOpenItems(customers, [
        invoice('y1', 'AR7', 'acme', '300.00', '2026-12-30', { issueDate: '2026-12-05' }),
        invoice('y2', 'AR8', 'acme', '500.00', '2026-10-30', { issueDate: '2026-10-01' }),
      ]);
      const r = await new CashApplicationEngine(view).apply(
        pay('300.00', { receivedOn: '2026-12-03', payerAccount: 'DE89370400440532013000' }),
      );
      expect(r.allocations.map((a) => [a.invoiceId, a.rule])).toEqual([['y2', 'oldest_due_first']]);
      expect(r.decision).toBe('needs_review');
    });

    it('without any customer, takes the only open invoice of that amount in the book but asks a person', async () => {
      const r = await engine.apply(pay('4321.09', { payerName: '张伟' }));
      expect(split(r)).toEqual({ t1: '4321.09' });
      expect(r.customer?.rule).toBe('exact_amount');
      expect(r.decision).toBe('needs_review');
    });
  });

  describe('(4) payer identification', () => {
    it('knows the payer by account and applies oldest due first for the rest, for review', async () => {
      const r = await engine.apply(pay('500.00', { payerAccount: '6222021001012345' }));
      expect(r.customer).toMatchObject({ customerId: 'hualian', rule: 'bank_account', confidence: 0.99 });
      expect(split(r)).toEqual({ i1: '500.00' });
      expect(r.allocations[0]?.rule).toBe('oldest_due_first');
      expect(r.decision).toBe('needs_review');
    });

    it('knows a traditional-Chinese payer name without its legal form', async () => {
      const r = await engine.apply(pay('250.50', { payerName: '上海華聯電子科技' }));
      expect(r.customer).toMatchObject({ customerId: 'hualian', rule: 'payer_name' });
      expect(split(r)).toEqual({ i2: '250.50' });
      expect(r.decision).toBe('auto_apply');
    });

    it('does not guess between two customers a short name fits', async () => {
      const r = await engine.apply(pay('12.34', { payerName: '上海华联' }));
      expect(r.customer).toBeNull();
      expect(r.decision).toBe('needs_review');
      expect(r.reviewReasons).toEqual(
        expect.arrayContaining(['payer_unidentified', 'unapplied_without_customer']),
      );
    });
  });

  describe('(5) oldest due first', () => {
    it('settles the oldest invoices of a customer the caller named, the last one partly', async () => {
      const r = await engine.apply(pay('1300.00', { customerId: 'hualian' }));
      expect(split(r)).toEqual({ i1: '1000.37', i2: '250.50', i3: '49.13' });
      expect(r.allocations.map((a) => a.rule)).toEqual([
        'oldest_due_first',
        'oldest_due_first',
        'oldest_due_first',
      ]);
      expect(r.decision).toBe('auto_apply');
    });

    it('reads past the invoices the amount search is bounded to', async () => {
      const many = Array.from({ length: 40 }, (_, i) =>
        invoice(`m${i}`, `M-${i}`, 'acme', '10.00', `2026-09-${String(1 + (i % 28)).padStart(2, '0')}`),
      );
      const r = await new CashApplicationEngine(new InMemoryOpenItems(customers, many)).apply(
        pay('395.00', { customerId: 'acme' }),
      );
      expect(r.allocations).toHaveLength(40);
      expect(r.unapplied.toDecimalString()).toBe('0.00');
      // The exact amount of one invoice is looked for among all of them, the 41st included.
      const later = invoice('m40', 'M-40', 'acme', '77.77', '2026-12-30');
      const exact = await new CashApplicationEngine(new InMemoryOpenItems(customers, [...many, later])).apply(
        pay('77.77', { customerId: 'acme' }),
      );
      expect(exact.allocations.map((a) => [a.invoiceId, a.rule])).toEqual([['m40', 'exact_amount']]);
    });

    it('leaves what exceeds every open invoice as unapplied credit', async () => {
      const r = await engine.apply(pay('5000.00', { customerId: 'hualian-trade' }));
      expect(split(r)).toEqual({ t1: '4321.09' });
      expect(r.unapplied.toDecimalString()).toBe('678.91');
    });
  });

  it('refuses a threshold outside (0, 1]', () => {
    expect(() => new CashApplicationEngine(new InMemoryOpenItems([], []), { autoApplyThreshold: 0 })).toThrow(
      /autoApplyThreshold/,
    );
  });

  it('auto-applies with a lower threshold what it otherwise sends to review', async () => {
    const lenient = new CashApplicationEngine(new InMemoryOpenItems(customers, invoices), {
      autoApplyThreshold: 0.7,
    });
    const r = await lenient.apply(pay('4321.09', { payerName: '张伟' }));
    expect(r.decision).toBe('auto_apply');
  });
});

describe('CashApplicationEngine invariants (property-based)', () => {
  const numbers = [
    'INV-2026-000101',
    'INV-2026-000102',
    'INV-2026-000110',
    'AR2026110042',
    'YS-2611-00042',
    '90010042',
  ];
  const names = [
    '上海华联电子科技有限公司',
    '上海华联贸易有限公司',
    'Acme Trading Co., Ltd.',
    'Acme Trading GmbH',
  ];

  const bookArb = fc
    .record({
      customers: fc.integer({ min: 1, max: 4 }),
      invoices: fc.array(
        fc.record({
          customer: fc.integer({ min: 0, max: 3 }),
          number: fc.constantFrom(...numbers),
          open: fc.integer({ min: 0, max: 500 }),
          usd: fc.boolean(),
          status: fc.constantFrom('open', 'open', 'partially_paid', 'paid', 'void'),
          due: fc.integer({ min: 1, max: 28 }),
        }),
        { maxLength: 10 },
      ),
    })
    .map(({ customers: n, invoices: list }) => {
      const profiles: CustomerProfile[] = Array.from({ length: n }, (_, i) => ({
        customerId: `c${i}`,
        names: [names[i] as string],
        accounts: [`ACCT${i}000`],
      }));
      const book: OpenInvoice[] = list.map((inv, i) => {
        const currency = inv.usd ? 'USD' : 'CNY';
        const status = inv.status as OpenInvoice['status'];
        return {
          invoiceId: `inv${i}`,
          number: inv.number,
          customerId: `c${inv.customer % n}`,
          currency,
          open: Money.fromMinor(
            status === 'paid' || status === 'void' ? 0n : BigInt(inv.open * 50),
            currency,
          ),
          dueDate: `2026-10-${String(inv.due).padStart(2, '0')}`,
          issueDate: null,
          status,
          kind: 'invoice',
        };
      });
      return { profiles, book };
    });

  const paymentArb = fc.record({
    amount: fc.integer({ min: 1, max: 60_000 }),
    customer: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    name: fc.option(fc.constantFrom(...names, '华联', 'ACME'), { nil: undefined }),
    account: fc.option(fc.constantFrom('ACCT0000', 'ACCT1000', 'OTHER999'), { nil: undefined }),
    text: fc.option(
      fc.array(
        fc.constantFrom(...numbers, 'lNV-2O26-0OO1O1', 'INV-2026-000111', 'PO 90010042', '货款', 'RF'),
        {
          maxLength: 4,
        },
      ),
      { nil: undefined },
    ),
  });

  it('amount = allocations + unapplied; no invoice gets more than it has open; one currency; deterministic', async () => {
    await fc.assert(
      fc.asyncProperty(bookArb, paymentArb, async ({ profiles, book }, p) => {
        const view = new InMemoryOpenItems(profiles, book);
        const subject = new CashApplicationEngine(view);
        const candidate: PaymentCandidate = {
          amount: Money.fromMinor(BigInt(p.amount), 'CNY'),
          receivedOn: '2026-12-01',
          customerId: p.customer === undefined ? null : `c${p.customer % profiles.length}`,
          payerName: p.name ?? null,
          payerAccount: p.account ?? null,
          remittanceText: p.text?.join(' ') ?? null,
        };
        const result = await subject.apply(candidate);
        const again = await subject.apply(candidate);
        expect(again).toEqual(result);

        let total = result.unapplied.minor;
        expect(result.unapplied.currency).toBe('CNY');
        expect(result.unapplied.isNegative()).toBe(false);
        const perInvoice = new Map<string, bigint>();
        for (const a of result.allocations) {
          expect(a.amount.currency).toBe('CNY');
          expect(a.amount.isPositive()).toBe(true);
          expect(a.confidence).toBeGreaterThanOrEqual(0);
          expect(a.confidence).toBeLessThanOrEqual(1);
          expect(a.customerId).toBe(result.customer?.customerId);
          total += a.amount.minor;
          perInvoice.set(a.invoiceId, (perInvoice.get(a.invoiceId) ?? 0n) + a.amount.minor);
        }
        expect(total).toBe(candidate.amount.minor);
        for (const [id, applied] of perInvoice) {
          const inv = book.find((i) => i.invoiceId === id) as OpenInvoice;
          expect(inv.currency).toBe('CNY');
          expect(applied).toBeLessThanOrEqual(inv.open.minor);
          expect(['paid', 'void']).not.toContain(inv.status);
        }
        if (result.decision === 'auto_apply') {
          expect(result.confidence).toBeGreaterThanOrEqual(0.9);
          expect(result.reviewReasons).toEqual([]);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('never auto-applies a stranger’s payment on a stray short number or bank serial', async () => {
    // The generated book: SAP-style invoice numbers 9001xxxx are dense, so a random eight-digit
    // number names a real invoice one time in ten.
    const set = generateLabelledSet({ seed: 5, customers: 150, cases: 1 });
    const subject = new CashApplicationEngine(new InMemoryOpenItems(set.customers, set.invoices));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 90010000, max: 90011200 }),
        fc.stringMatching(/^[0-9]{14}$/),
        fc.integer({ min: 100, max: 50_000_000 }),
        fc.constantFrom('张伟', 'UNKNOWN TRADING CO LTD', null),
        async (number, serial, minor, payerName) => {
          const r = await subject.apply({
            amount: Money.fromMinor(BigInt(minor), 'CNY'),
            receivedOn: '2026-12-03',
            payerName,
            remittanceText: `流水号${serial} 货款 ${number}`,
          });
          const named = set.invoices.find((i) => i.number === String(number));
          // Only the amount agreeing with the named invoice may make it sure enough.
          if (r.decision === 'auto_apply') expect(named?.open.minor).toBe(BigInt(minor));
        },
      ),
      { numRuns: 300, seed: 20261207 },
    );
  });

  it('explicit allocations, when accepted, are applied exactly as given', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 1000 }),
        async (parts, extra) => {
          const book = parts.map((_, i) =>
            invoice(
              `e${i}`,
              `INV-9-${i}`,
              'c0',
              Money.fromMinor(BigInt(parts[i] as number) * 2n, 'CNY').toDecimalString(),
              `2026-10-0${i + 1}`,
            ),
          );
          const subject = new CashApplicationEngine(
            new InMemoryOpenItems([{ customerId: 'c0', names: ['X'], accounts: [] }], book),
          );
          const allocations = parts.map((p, i) => ({
            invoiceId: `e${i}`,
            amount: Money.fromMinor(BigInt(p), 'CNY'),
          }));
          const sum = parts.reduce((s, p) => s + BigInt(p), 0n);
          const r = await subject.apply({
            amount: Money.fromMinor(sum + BigInt(extra), 'CNY'),
            receivedOn: '2026-12-01',
            allocations,
          });
          expect(r.allocations.map((a) => [a.invoiceId, a.amount.minor])).toEqual(
            allocations.map((a) => [a.invoiceId, a.amount.minor]),
          );
          expect(r.unapplied.minor).toBe(BigInt(extra));
          expect(r.decision).toBe('auto_apply');
        },
      ),
      { numRuns: 100 },
    );
  });
});
