import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { createEvent, Topic, type EventInitOf } from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import type { EntityManager } from 'typeorm';
import type { PinRepository } from '../pin.repository';
import { ApplyBalanceChangeUseCase, parseBalances } from './apply-balance-change.usecase';

const em = {} as EntityManager;
const occurredAt = new Date('2026-01-10T10:00:00Z');
const money = (amount: string, currency: string) => ({ amount, currency });
const event = (balances: EventInitOf<typeof Topic.BalanceChanged>['balances']) =>
  createEvent(Topic.BalanceChanged, {
    customerId: 'c-1',
    occurredAt: timestampFromDate(occurredAt),
    customerVersion: 7n,
    balances,
  });

describe('ApplyBalanceChangeUseCase', () => {
  it('stores minor units per currency with the customer version and occurred_at', async () => {
    const applyBalanceSnapshots = jest.fn().mockResolvedValue(new Set(['c-1']));
    const useCase = new ApplyBalanceChangeUseCase({ applyBalanceSnapshots } as unknown as PinRepository);
    const outcome = await useCase.execute(
      [
        event([
          { currency: 'CNY', outstanding: money('1500.50', 'CNY'), overdue: money('500', 'CNY') },
          { currency: 'JPY', outstanding: money('-300', 'JPY'), overdue: money('0', 'JPY') },
        ]),
      ],
      em,
    );
    expect(outcome).toEqual(['applied']);
    expect(applyBalanceSnapshots).toHaveBeenCalledWith(em, [
      {
        customerId: 'c-1',
        balances: [
          { currency: 'CNY', outstanding: 150050n, overdue: 50000n },
          { currency: 'JPY', outstanding: -300n, overdue: 0n },
        ],
        version: 7n,
        occurredAt,
      },
    ]);
  });

  it('reports an older snapshot as stale', async () => {
    const useCase = new ApplyBalanceChangeUseCase({
      applyBalanceSnapshots: jest.fn().mockResolvedValue(new Set()),
    } as unknown as PinRepository);
    await expect(useCase.execute([event([])], em)).resolves.toEqual(['stale']);
  });

  it('writes only the newest snapshot of a customer in a batch, by occurred_at before versions (the later of equals)', async () => {
    const applyBalanceSnapshots = jest.fn().mockResolvedValue(new Set(['c-1']));
    const useCase = new ApplyBalanceChangeUseCase({ applyBalanceSnapshots } as unknown as PinRepository);
    const at = (iso: string, amount: string) =>
      createEvent(Topic.BalanceChanged, {
        customerId: 'c-1',
        occurredAt: timestampFromDate(new Date(iso)),
        balances: [{ currency: 'CNY', outstanding: money(amount, 'CNY') }],
      });
    const outcomes = await useCase.execute(
      [at('2026-01-10T10:00:02Z', '3'), at('2026-01-10T10:00:01Z', '1'), at('2026-01-10T10:00:02Z', '4')],
      em,
    );
    expect(outcomes).toEqual(['stale', 'stale', 'applied']);
    expect(applyBalanceSnapshots).toHaveBeenCalledTimes(1);
    expect(applyBalanceSnapshots.mock.calls[0]?.[1]).toEqual([
      {
        customerId: 'c-1',
        balances: [{ currency: 'CNY', outstanding: 400n, overdue: 0n }],
        version: 0n,
        occurredAt: new Date('2026-01-10T10:00:02Z'),
      },
    ]);
  });

  it('writes the highest customer version of a batch, whatever the clocks that stamped them said', async () => {
    const applyBalanceSnapshots = jest.fn().mockResolvedValue(new Set(['c-1']));
    const useCase = new ApplyBalanceChangeUseCase({ applyBalanceSnapshots } as unknown as PinRepository);
    const versioned = (minutes: number, amount: string, customerVersion: bigint) =>
      createEvent(Topic.BalanceChanged, {
        customerId: 'c-1',
        occurredAt: timestampFromDate(new Date(occurredAt.getTime() + minutes * 60_000)),
        customerVersion,
        balances: [{ currency: 'CNY', outstanding: money(amount, 'CNY') }],
      });
    const outcomes = await useCase.execute(
      [versioned(10, '3', 3n), versioned(0, '4', 4n), versioned(20, '2', 2n)],
      em,
    );
    expect(outcomes).toEqual(['stale', 'applied', 'stale']);
    expect(applyBalanceSnapshots.mock.calls[0]?.[1]).toEqual([
      {
        customerId: 'c-1',
        balances: [{ currency: 'CNY', outstanding: 400n, overdue: 0n }],
        version: 4n,
        occurredAt,
      },
    ]);
  });

  it.each([
    ['a currency twice', [{ currency: 'CNY' }, { currency: 'CNY' }]],
    ['an amount in another currency', [{ currency: 'CNY', outstanding: money('1', 'USD') }]],
    ['more decimals than the currency has', [{ currency: 'JPY', outstanding: money('1.5', 'JPY') }]],
    ['an unknown currency', [{ currency: 'ABC', outstanding: money('1', 'ABC') }]],
  ])('sends an event with %s to the DLQ (FatalEventError)', (_, balances) => {
    expect(() => parseBalances(event(balances))).toThrow(FatalEventError);
  });
});
