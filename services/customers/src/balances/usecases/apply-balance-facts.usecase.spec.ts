import { TransactionScope, type OutboxWriter } from '@duemap/messaging';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context, createContextKey, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import type { EntityManager } from 'typeorm';
import type { AllocationFact, CreditFact, InvoiceFact } from '../balance-facts';
import { BalanceRecalculator } from '../balance-recalculator';
import type { InvoiceBalancesRepository, UpsertedInvoiceFact } from '../invoice-balances.repository';
import { ApplyBalanceFactsUseCase, type TracedFact } from './apply-balance-facts.usecase';

const A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const C = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';
const em = {} as EntityManager;
const at = new Date('2025-03-31T10:00:00Z');

const traceKey = createContextKey('event');
const traceOf = (name: string): Context => ROOT_CONTEXT.setValue(traceKey, name);
const nameOf = (trace: Context | undefined) => trace?.getValue(traceKey);

const invoice = (name: string, over: Partial<InvoiceFact> = {}): TracedFact => ({
  kind: 'invoice',
  fact: {
    invoiceId: 'inv-1',
    customerId: A,
    version: 1n,
    occurredAt: at,
    currency: 'CNY',
    openMinor: 1n,
    ...over,
  },
  trace: traceOf(name),
});
const credit = (name: string, customerId: string, entryKey = name): TracedFact => ({
  kind: 'credit',
  fact: {
    entryKey,
    customerId,
    kind: 'payment-unapplied',
    paymentId: 'pay-1',
    currency: 'CNY',
    amountMinor: 100n,
    occurredAt: at,
  },
  trace: traceOf(name),
});

const allocation = (name: string, customerId: string, release = false): TracedFact => ({
  kind: 'allocation',
  fact: {
    paymentId: 'pay-1',
    invoiceId: 'inv-1',
    customerId,
    ...(release ? {} : { applied: { currency: 'CNY', minor: 100n } }),
    release,
  },
  trace: traceOf(name),
});

describe('ApplyBalanceFactsUseCase', () => {
  let allocations: AllocationFact[][];
  let upserts: InvoiceFact[][];
  let credits: CreditFact[][];
  let invoiceOutcomes: UpsertedInvoiceFact[];
  let creditOutcomes: boolean[];
  let recalculator: BalanceRecalculator;
  let recomputed: { ids: readonly string[]; traces: Record<string, unknown>; trace: unknown }[];
  let useCase: ApplyBalanceFactsUseCase;

  // Without a context manager the API's context.with is a no-op and traces could not be told apart.
  beforeAll(() => context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()));
  afterAll(() => context.disable());

  beforeEach(() => {
    allocations = [];
    upserts = [];
    credits = [];
    invoiceOutcomes = [];
    creditOutcomes = [];
    recomputed = [];
    const repository = {
      upsertFacts: (_em: EntityManager, facts: InvoiceFact[]) => {
        upserts.push(facts);
        return Promise.resolve(facts.map((_, i) => invoiceOutcomes[i] ?? { applied: false }));
      },
      addCredits: (_em: EntityManager, facts: CreditFact[]) => {
        credits.push(facts);
        return Promise.resolve(facts.map((_, i) => creditOutcomes[i] ?? false));
      },
      recordAllocations: (_em: EntityManager, facts: AllocationFact[]) => {
        allocations.push(facts);
        return Promise.resolve();
      },
    } as unknown as InvoiceBalancesRepository;
    recalculator = new BalanceRecalculator({} as OutboxWriter);
    jest.spyOn(recalculator, 'recompute').mockImplementation((_em, ids, traces = new Map()) => {
      recomputed.push({
        ids,
        traces: Object.fromEntries([...traces].map(([id, t]) => [id, nameOf(t)])),
        trace: nameOf(context.active()),
      });
      return Promise.resolve([]);
    });
    useCase = new ApplyBalanceFactsUseCase(repository, recalculator);
  });

  it('applies every fact of the transaction at its end, one statement per kind, in arrival order', async () => {
    const scope = new TransactionScope();
    const issued = [invoice('issued-1'), invoice('issued-2', { invoiceId: 'inv-2' })];
    const received = [credit('received', A), allocation('allocated', A)];
    const paid = [invoice('paid', { openMinor: 0n }), allocation('recorded', A, true)];
    useCase.enqueue(issued, em, scope);
    useCase.enqueue(received, em, scope);
    useCase.enqueue(paid, em, scope);
    expect(upserts).toEqual([]);
    await scope.flush();
    expect(upserts).toEqual([[issued[0], issued[1], paid[0]].map((f) => f!.fact)]);
    expect(credits).toEqual([[received[0]!.fact]]);
    expect(allocations).toEqual([[received[1]!.fact, paid[1]!.fact]]);
  });

  it("schedules an allocation's customer: payments' decision changes the balance before invoicing's", async () => {
    const scope = new TransactionScope();
    useCase.enqueue([allocation('allocated', B)], em, scope);
    await scope.flush();
    expect(recomputed).toEqual([{ ids: [B], traces: { [B]: 'allocated' }, trace: 'allocated' }]);
  });

  it('schedules the customers of applied and recorded facts, each with the first event that touched it', async () => {
    const scope = new TransactionScope();
    const facts = [
      invoice('stale', { customerId: C }),
      credit('credit-a', A),
      invoice('moved-to-b', { customerId: B, previousCustomerId: A }),
      credit('duplicate-c', C),
      invoice('moved-again', { customerId: C }),
    ];
    invoiceOutcomes = [
      { applied: false },
      { applied: true, previousCustomerId: A },
      { applied: true, previousCustomerId: B },
    ];
    creditOutcomes = [true, false];
    useCase.enqueue(facts, em, scope);
    await scope.flush();
    expect(recomputed).toEqual([
      {
        ids: [A, B, C],
        traces: { [A]: 'credit-a', [B]: 'moved-to-b', [C]: 'moved-again' },
        // The recomputation (and its balance-changed events) continues the first scheduling event.
        trace: 'credit-a',
      },
    ]);
  });

  it('returns each fact its outcome', async () => {
    invoiceOutcomes = [{ applied: false }, { applied: true, previousCustomerId: null }];
    creditOutcomes = [false, true];
    const outcomes = await useCase.execute(
      [invoice('a'), credit('b', A), invoice('c'), credit('d', B)],
      em,
      new TransactionScope(),
    );
    expect(outcomes).toEqual(['stale', 'duplicate', 'applied', 'recorded']);
  });
});
