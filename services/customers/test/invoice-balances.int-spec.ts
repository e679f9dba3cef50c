import { TransactionScope } from '@duemap/messaging';
import { createTestDatabase, type TestDatabase } from '@duemap/testing';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import fc from 'fast-check';
import type { DataSource, EntityManager } from 'typeorm';
import type { CreditFact, InvoiceFact } from '../src/balances/balance-facts';
import type { BalanceRecalculator } from '../src/balances/balance-recalculator';
import {
  InvoiceBalancesRepository,
  type UpsertedInvoiceFact,
} from '../src/balances/invoice-balances.repository';
import {
  ApplyBalanceFactsUseCase,
  type BalanceFactOutcome,
  type TracedFact,
} from '../src/balances/usecases/apply-balance-facts.usecase';
import { createDataSource } from '../src/database/data-source';

const A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const C = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';
const base = Date.parse('2025-03-31T10:00:00Z');

// The statements of one fact each, as the projection was written before facts were batched: the
// reference the batch statements must agree with, fact for fact. The guard spells the ordering
// rule out (versions when both sides have one, else occurred_at) rather than calling the
// migration's function, so that the two are checked against each other.
async function upsertOneByOne(em: EntityManager, fact: InvoiceFact): Promise<UpsertedInvoiceFact> {
  const rows: { previous_customer_id: string | null }[] = await em.query(
    `WITH old AS (SELECT customer_id FROM invoice_balances WHERE invoice_id = $1)
     INSERT INTO invoice_balances AS b
            (invoice_id, customer_id, currency, open_minor, overdue, void, last_version, last_occurred_at, updated_at)
     VALUES ($1, $2, $3, COALESCE($4::bigint, 0), COALESCE($5::boolean, false), COALESCE($6::boolean, false), $7, $8, now())
     ON CONFLICT (invoice_id) DO UPDATE SET
            customer_id = EXCLUDED.customer_id,
            currency = EXCLUDED.currency,
            open_minor = COALESCE($4::bigint, b.open_minor),
            overdue = COALESCE($5::boolean, b.overdue),
            void = b.void OR COALESCE($6::boolean, false),
            last_version = EXCLUDED.last_version,
            last_occurred_at = EXCLUDED.last_occurred_at,
            updated_at = EXCLUDED.updated_at
      WHERE CASE WHEN b.last_version > 0 AND EXCLUDED.last_version > 0
                 THEN b.last_version <= EXCLUDED.last_version
                 ELSE b.last_occurred_at <= EXCLUDED.last_occurred_at END
     RETURNING (SELECT customer_id FROM old) AS previous_customer_id`,
    [
      fact.invoiceId,
      fact.customerId,
      fact.currency,
      fact.openMinor?.toString() ?? null,
      fact.overdue ?? null,
      fact.void ?? null,
      fact.version.toString(),
      fact.occurredAt,
    ],
  );
  const row = rows[0];
  return row === undefined
    ? { applied: false }
    : { applied: true, previousCustomerId: row.previous_customer_id };
}

async function addOneByOne(em: EntityManager, fact: CreditFact): Promise<boolean> {
  const rows: unknown[] = await em.query(
    `INSERT INTO credit_entries
            (entry_key, customer_id, kind, payment_id, currency, amount_minor, occurred_at, recorded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now())
     ON CONFLICT DO NOTHING RETURNING entry_key`,
    [
      fact.entryKey,
      fact.customerId,
      fact.kind,
      fact.paymentId,
      fact.currency,
      fact.amountMinor.toString(),
      fact.occurredAt,
    ],
  );
  return rows.length > 0;
}

const invoicesNow = (em: EntityManager) =>
  em.query(`SELECT invoice_id, customer_id, currency, open_minor::text AS open, overdue, void,
                   last_version::text AS version, last_occurred_at
              FROM invoice_balances ORDER BY invoice_id`);
const creditsNow = (em: EntityManager) =>
  em.query(`SELECT entry_key, customer_id, kind, payment_id, currency, amount_minor::text AS amount, occurred_at
              FROM credit_entries ORDER BY entry_key`);

// Few invoices, customers, versions and instants, so that a draw has facts of one invoice, moves,
// ties, and facts with and without a version (0: a producer before versions) side by side.
const instant = fc.integer({ min: 0, max: 4 }).map((m) => new Date(base + m * 60_000));
const invoiceFact: fc.Arbitrary<InvoiceFact> = fc.record(
  {
    invoiceId: fc.constantFrom('inv-1', 'inv-2', 'inv-3'),
    customerId: fc.constantFrom(A, B, C),
    version: fc.bigInt({ min: 0n, max: 3n }),
    occurredAt: instant,
    currency: fc.constantFrom('CNY', 'USD'),
    openMinor: fc.bigInt({ min: -1_000n, max: 1_000n }),
    overdue: fc.boolean(),
    void: fc.boolean(),
  },
  { requiredKeys: ['invoiceId', 'customerId', 'version', 'occurredAt', 'currency'] },
);
const creditFact: fc.Arbitrary<CreditFact> = fc.record({
  entryKey: fc.constantFrom('payment/p1/unapplied', 'payment/p2/unapplied', 'refund/r1'),
  customerId: fc.constantFrom(A, B),
  kind: fc.constantFrom('payment-unapplied' as const, 'refund' as const),
  paymentId: fc.option(fc.constantFrom('p1', 'p2'), { nil: null }),
  currency: fc.constantFrom('CNY', 'USD'),
  amountMinor: fc.bigInt({ min: -1_000n, max: 1_000n }),
  occurredAt: instant,
});

describe('balance projections on a real Postgres', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const repository = new InvoiceBalancesRepository();

  beforeAll(async () => {
    db = await createTestDatabase('customers_invoice_balances');
    ds = createDataSource(db.url);
    await ds.initialize();
    await ds.runMigrations();
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  beforeEach(async () => {
    await ds.query('TRUNCATE invoice_balances, credit_entries');
  });

  /** Runs work in a transaction that is rolled back, so that the next one starts from the same rows. */
  async function rolledBack<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const runner = ds.createQueryRunner();
    await runner.startTransaction();
    try {
      return await work(runner.manager);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  }

  describe('a batch of facts in one statement per projection', () => {
    it('upserts invoice facts exactly as one statement per fact in order would', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(invoiceFact, { maxLength: 4 }),
          fc.array(invoiceFact, { maxLength: 12 }),
          async (before, facts) => {
            const run = (apply: (em: EntityManager) => Promise<UpsertedInvoiceFact[]>) =>
              rolledBack(async (em) => {
                for (const fact of before) await upsertOneByOne(em, fact);
                const outcomes = await apply(em);
                return { outcomes, rows: await invoicesNow(em) };
              });
            const oneByOne = await run(async (em) => {
              const outcomes: UpsertedInvoiceFact[] = [];
              for (const fact of facts) outcomes.push(await upsertOneByOne(em, fact));
              return outcomes;
            });
            expect(await run((em) => repository.upsertFacts(em, facts))).toEqual(oneByOne);
          },
        ),
        { numRuns: 150 },
      );
    });

    it('adds credit facts exactly as one statement per fact in order would', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(creditFact, { maxLength: 3 }),
          fc.array(creditFact, { maxLength: 8 }),
          async (before, facts) => {
            const run = (apply: (em: EntityManager) => Promise<boolean[]>) =>
              rolledBack(async (em) => {
                for (const fact of before) await addOneByOne(em, fact);
                const outcomes = await apply(em);
                return { outcomes, rows: await creditsNow(em) };
              });
            const oneByOne = await run(async (em) => {
              const outcomes: boolean[] = [];
              for (const fact of facts) outcomes.push(await addOneByOne(em, fact));
              return outcomes;
            });
            expect(await run((em) => repository.addCredits(em, facts))).toEqual(oneByOne);
          },
        ),
        { numRuns: 100 },
      );
    });

    it('converges to the highest version, whatever order and batches the versions come in', async () => {
      // Full states of one invoice, versions 1..n stamped by clocks that disagree with them.
      const history = fc
        .array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.bigInt({ min: -1_000n, max: 1_000n })), {
          minLength: 1,
          maxLength: 6,
        })
        .map((states) =>
          states.map(([minute, openMinor], i): InvoiceFact => ({
            invoiceId: 'inv-1',
            customerId: i % 2 === 0 ? A : B,
            version: BigInt(i + 1),
            occurredAt: new Date(base + minute * 60_000),
            currency: 'CNY',
            openMinor,
            overdue: minute % 2 === 0,
            void: false,
          })),
        );
      await fc.assert(
        fc.asyncProperty(
          history.chain((facts) =>
            fc.tuple(fc.constant(facts), fc.shuffledSubarray(facts, { minLength: facts.length })),
          ),
          fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 6, maxLength: 6 }),
          async ([facts, delivered], batchSizes) =>
            rolledBack(async (em) => {
              const pending = [...delivered];
              for (const size of batchSizes) await repository.upsertFacts(em, pending.splice(0, size));
              await repository.upsertFacts(em, pending);
              const last = facts.at(-1) as InvoiceFact;
              const [row] = await invoicesNow(em);
              expect(row).toMatchObject({
                customer_id: last.customerId,
                open: String(last.openMinor),
                overdue: last.overdue,
                version: String(last.version),
              });
            }),
        ),
        { numRuns: 100 },
      );
    });

    it('sends no statement for no facts', async () => {
      const em = { query: jest.fn() } as unknown as EntityManager;
      expect(await repository.upsertFacts(em, [])).toEqual([]);
      expect(await repository.addCredits(em, [])).toEqual([]);
      expect(em.query).not.toHaveBeenCalled();
    });
  });

  describe('ApplyBalanceFactsUseCase', () => {
    let scheduled: string[];
    let useCase: ApplyBalanceFactsUseCase;

    beforeAll(() => {
      const recalculator = {
        schedule: (_em: unknown, _scope: unknown, ids: string[]) => void scheduled.push(...ids),
      } as unknown as BalanceRecalculator;
      useCase = new ApplyBalanceFactsUseCase(repository, recalculator);
    });

    beforeEach(() => {
      scheduled = [];
    });

    const fact = (over: Partial<InvoiceFact>): TracedFact => ({
      kind: 'invoice',
      fact: {
        invoiceId: 'inv-1',
        customerId: A,
        version: 0n,
        occurredAt: new Date(base),
        currency: 'CNY',
        ...over,
      },
      trace: ROOT_CONTEXT,
    });
    const at = (minutes: number) => new Date(base + minutes * 60_000);
    const apply = (...facts: TracedFact[]): Promise<BalanceFactOutcome[]> =>
      ds.transaction((em) => useCase.execute(facts, em, new TransactionScope()));
    const row = async () =>
      (
        await ds.query<{ customer_id: string; open: string; overdue: boolean; void: boolean }[]>(
          `SELECT customer_id, open_minor::text AS open, overdue, void FROM invoice_balances WHERE invoice_id = 'inv-1'`,
        )
      )[0];

    it('mirrors an invoice and schedules its customer', async () => {
      expect(await apply(fact({ openMinor: 10_000n, overdue: false, void: false }))).toEqual(['applied']);
      expect(await row()).toEqual({ customer_id: A, open: '10000', overdue: false, void: false });
      expect(scheduled).toEqual([A]);
    });

    it('ignores an event older than the last one applied, in an earlier batch or the same one', async () => {
      await apply(fact({ openMinor: 0n, occurredAt: at(2) }));
      const stale = fact({ openMinor: 10_000n, overdue: true, occurredAt: at(1) });
      expect(await apply(stale)).toEqual(['stale']);
      expect(await row()).toMatchObject({ open: '0', overdue: false });
      expect(
        await apply(
          fact({ openMinor: 300n, occurredAt: at(4) }),
          fact({ openMinor: 200n, occurredAt: at(3) }),
        ),
      ).toEqual(['applied', 'stale']);
      expect(await row()).toMatchObject({ open: '300' });
      expect(
        await apply(
          fact({ openMinor: 400n, occurredAt: at(5) }),
          fact({ openMinor: 500n, occurredAt: at(6) }),
        ),
      ).toEqual(['applied', 'applied']);
      expect(await row()).toMatchObject({ open: '500' });
    });

    it('orders an invoice by its version, not by occurred_at, once both sides have one', async () => {
      await apply(fact({ openMinor: 10_000n, version: 1n, occurredAt: at(5) }));
      // A later change stamped by an instance whose clock is behind: it applies.
      expect(await apply(fact({ openMinor: 0n, version: 2n, occurredAt: at(1) }))).toEqual(['applied']);
      expect(await row()).toMatchObject({ open: '0' });
      // An older change stamped by a clock that is ahead changes nothing, alone or in a batch.
      const older = fact({ openMinor: 7n, overdue: true, version: 1n, occurredAt: at(9) });
      expect(await apply(older)).toEqual(['stale']);
      expect(
        await apply(
          fact({ openMinor: 5n, version: 4n, occurredAt: at(0) }),
          fact({ openMinor: 6n, version: 3n, occurredAt: at(8) }),
        ),
      ).toEqual(['applied', 'stale']);
      expect(await row()).toMatchObject({ open: '5', overdue: false });
    });

    it('compares occurred_at while the event or the row has no version (before versions)', async () => {
      await apply(fact({ openMinor: 100n, occurredAt: at(5) }));
      expect(await apply(fact({ openMinor: 50n, version: 3n, occurredAt: at(4) }))).toEqual(['stale']);
      expect(await apply(fact({ openMinor: 40n, version: 3n, occurredAt: at(6) }))).toEqual(['applied']);
      expect(await apply(fact({ openMinor: 30n, occurredAt: at(5) }))).toEqual(['stale']);
      expect(await row()).toMatchObject({ open: '40' });
    });

    it('keeps what a partial event does not say, and a void stays void', async () => {
      await apply(
        fact({ openMinor: 5_000n, overdue: true, void: false }),
        fact({ void: true, occurredAt: at(1) }),
      );
      expect(await row()).toMatchObject({ open: '5000', overdue: true, void: true });
      await apply(fact({ openMinor: 5_000n, void: false, occurredAt: at(2) }));
      expect((await row())?.void).toBe(true);
    });

    it('schedules both customers when an invoice moves, also within one batch', async () => {
      await apply(fact({ openMinor: 100n }));
      scheduled = [];
      await apply(fact({ customerId: B, openMinor: 100n, occurredAt: at(1) }));
      expect((await row())?.customer_id).toBe(B);
      expect(scheduled.sort()).toEqual([A, B]);
      scheduled = [];
      await apply(fact({ customerId: C, occurredAt: at(2) }), fact({ customerId: A, occurredAt: at(3) }));
      expect((await row())?.customer_id).toBe(A);
      expect([...new Set(scheduled)].sort()).toEqual([A, B, C]);
    });

    it('records a credit entry once, whatever batch it comes in again', async () => {
      const entry: TracedFact = {
        kind: 'credit',
        fact: {
          entryKey: 'payment/p1/unapplied',
          customerId: B,
          kind: 'payment-unapplied',
          paymentId: 'p1',
          currency: 'CNY',
          amountMinor: 500n,
          occurredAt: at(0),
        },
        trace: ROOT_CONTEXT,
      };
      expect(await apply(entry, entry)).toEqual(['recorded', 'duplicate']);
      expect(await apply(entry, fact({ openMinor: 1n }))).toEqual(['duplicate', 'applied']);
      expect(scheduled).toEqual([B, A]);
      const entries = await ds.query<{ n: number }[]>('SELECT count(*)::int AS n FROM credit_entries');
      expect(entries[0]?.n).toBe(1);
    });
  });
});
