import { TransactionScope } from '@duemap/messaging';
import { createTestDatabase, type TestDatabase } from '@duemap/testing';
import type { DataSource } from 'typeorm';
import type { InvoiceFact } from '../src/balances/balance-facts';
import type { BalanceRecalculator } from '../src/balances/balance-recalculator';
import { InvoiceBalancesRepository } from '../src/balances/invoice-balances.repository';
import { ApplyInvoiceFactUseCase } from '../src/balances/usecases/apply-invoice-fact.usecase';
import { createDataSource } from '../src/database/data-source';

const A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

/** The invoice projection's merge rules, which live in one SQL statement, against a real Postgres. */
describe('ApplyInvoiceFactUseCase on the invoice projection', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let scheduled: string[];
  let useCase: ApplyInvoiceFactUseCase;

  beforeAll(async () => {
    db = await createTestDatabase('customers_invoice_balances');
    ds = createDataSource(db.url);
    await ds.initialize();
    await ds.runMigrations();
    const recalculator = {
      schedule: (_em: unknown, _scope: unknown, ids: string[]) => void scheduled.push(...ids),
    } as unknown as BalanceRecalculator;
    useCase = new ApplyInvoiceFactUseCase(new InvoiceBalancesRepository(), recalculator);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  beforeEach(async () => {
    scheduled = [];
    await ds.query('TRUNCATE invoice_balances');
  });

  const fact = (over: Partial<InvoiceFact>): InvoiceFact => ({
    invoiceId: 'inv-1',
    customerId: A,
    occurredAt: new Date('2025-03-31T10:00:00Z'),
    currency: 'CNY',
    ...over,
  });
  const apply = (f: InvoiceFact) => ds.transaction((em) => useCase.execute(f, em, new TransactionScope()));
  const row = async () =>
    (
      await ds.query<{ customer_id: string; open: string; overdue: boolean; void: boolean }[]>(
        `SELECT customer_id, open_minor::text AS open, overdue, void FROM invoice_balances WHERE invoice_id = 'inv-1'`,
      )
    )[0];

  it('mirrors an invoice and schedules its customer', async () => {
    expect(await apply(fact({ openMinor: 10_000n, overdue: false, void: false }))).toBe('applied');
    expect(await row()).toEqual({ customer_id: A, open: '10000', overdue: false, void: false });
    expect(scheduled).toEqual([A]);
  });

  it('ignores an event older than the last one applied', async () => {
    await apply(fact({ openMinor: 0n, occurredAt: new Date('2025-03-31T12:00:00Z') }));
    const stale = fact({ openMinor: 10_000n, overdue: true, occurredAt: new Date('2025-03-31T11:00:00Z') });
    expect(await apply(stale)).toBe('stale');
    expect(await row()).toMatchObject({ open: '0', overdue: false });
    expect(scheduled).toEqual([A]);
  });

  it('keeps what a partial event does not say, and a void stays void', async () => {
    await apply(fact({ openMinor: 5_000n, overdue: true, void: false }));
    await apply(fact({ void: true, occurredAt: new Date('2025-03-31T10:01:00Z') }));
    expect(await row()).toMatchObject({ open: '5000', overdue: true, void: true });
    await apply(fact({ openMinor: 5_000n, void: false, occurredAt: new Date('2025-03-31T10:02:00Z') }));
    expect((await row())?.void).toBe(true);
  });

  it('schedules both customers when an invoice moves', async () => {
    await apply(fact({ openMinor: 100n }));
    scheduled = [];
    await apply(fact({ customerId: B, openMinor: 100n, occurredAt: new Date('2025-04-01T00:00:00Z') }));
    expect((await row())?.customer_id).toBe(B);
    expect(scheduled.sort()).toEqual([A, B]);
  });
});
