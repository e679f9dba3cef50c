import type { EntityManager } from 'typeorm';
import type { InvoiceBalanceEntity } from '../balance.entity';
import type { InvoiceFact } from '../balance-facts';
import type { BalanceRecalculator } from '../balance-recalculator';
import { ApplyInvoiceFactUseCase } from './apply-invoice-fact.usecase';

const A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

describe('ApplyInvoiceFactUseCase', () => {
  let rows: Map<string, InvoiceBalanceEntity>;
  let recomputed: string[];
  let useCase: ApplyInvoiceFactUseCase;
  const em = {
    getRepository: () => ({
      findOne: ({ where }: { where: { invoiceId: string } }) =>
        Promise.resolve(rows.get(where.invoiceId) ?? null),
      upsert: (row: InvoiceBalanceEntity) => {
        rows.set(row.invoiceId, row);
        return Promise.resolve();
      },
    }),
  } as unknown as EntityManager;

  beforeEach(() => {
    rows = new Map();
    recomputed = [];
    const recalculator = {
      // Every UUID is a known customer here.
      lockCustomers: (_em: EntityManager, ids: string[]) =>
        Promise.resolve(new Set(ids.filter((id) => id.length === 36))),
      recompute: (_em: EntityManager, id: string) => {
        recomputed.push(id);
        return Promise.resolve({ balanceChanged: true, statusChanged: false });
      },
    } as unknown as BalanceRecalculator;
    useCase = new ApplyInvoiceFactUseCase(recalculator);
  });

  const fact = (over: Partial<InvoiceFact>): InvoiceFact => ({
    invoiceId: 'inv-1',
    customerId: A,
    occurredAt: new Date('2025-03-31T10:00:00Z'),
    currency: 'CNY',
    ...over,
  });

  it('mirrors an invoice and recomputes its customer', async () => {
    expect(await useCase.execute(fact({ openMinor: 10_000n, overdue: false, void: false }), em)).toBe(
      'applied',
    );
    expect(rows.get('inv-1')).toMatchObject({
      customerId: A,
      openMinor: '10000',
      overdue: false,
      void: false,
    });
    expect(recomputed).toEqual([A]);
  });

  it('ignores an event older than the last one applied', async () => {
    await useCase.execute(fact({ openMinor: 0n, occurredAt: new Date('2025-03-31T12:00:00Z') }), em);
    const stale = fact({ openMinor: 10_000n, overdue: true, occurredAt: new Date('2025-03-31T11:00:00Z') });
    expect(await useCase.execute(stale, em)).toBe('stale');
    expect(rows.get('inv-1')?.openMinor).toBe('0');
    expect(recomputed).toEqual([A]);
  });

  it('keeps what a partial event does not say, and a void stays void', async () => {
    await useCase.execute(fact({ openMinor: 5_000n, overdue: true, void: false }), em);
    await useCase.execute(fact({ void: true, occurredAt: new Date('2025-03-31T10:01:00Z') }), em);
    expect(rows.get('inv-1')).toMatchObject({ openMinor: '5000', overdue: true, void: true });
    await useCase.execute(
      fact({ openMinor: 5_000n, void: false, occurredAt: new Date('2025-03-31T10:02:00Z') }),
      em,
    );
    expect(rows.get('inv-1')?.void).toBe(true);
  });

  it('recomputes both customers when an invoice moves', async () => {
    await useCase.execute(fact({ openMinor: 100n }), em);
    recomputed = [];
    await useCase.execute(
      fact({ customerId: B, openMinor: 100n, occurredAt: new Date('2025-04-01T00:00:00Z') }),
      em,
    );
    expect(rows.get('inv-1')?.customerId).toBe(B);
    expect(recomputed).toEqual([A, B]);
  });

  it('stores invoices of unknown customers without recomputing anyone', async () => {
    await useCase.execute(fact({ customerId: 'not-ours', openMinor: 1n }), em);
    expect(rows.get('inv-1')?.customerId).toBe('not-ours');
    expect(recomputed).toEqual([]);
  });
});
