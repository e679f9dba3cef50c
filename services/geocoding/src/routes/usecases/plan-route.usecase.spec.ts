import type { BalanceMinor } from '../../map/pin.repository';
import type { CandidateFilter, RouteCandidate } from '../route-candidates.repository';
import { RouteException } from '../route.exception';
import { clockOf, overdueShares, PlanRouteUseCase, type PlanRouteCommand } from './plan-route.usecase';

const cny = (overdue: bigint, outstanding = overdue): BalanceMinor => ({
  currency: 'CNY',
  overdue,
  outstanding,
});
const usd = (overdue: bigint, outstanding = overdue): BalanceMinor => ({
  currency: 'USD',
  overdue,
  outstanding,
});

function candidate(
  customerId: string,
  lat: number | null,
  lng: number | null,
  balances: BalanceMinor[],
): RouteCandidate {
  return {
    customerId,
    name: `Customer ${customerId}`,
    status: 'overdue',
    lat,
    lng,
    geocodeState: lat === null ? 'failed' : 'located',
    failure: lat === null ? 'country_only' : null,
    balances,
  };
}

class FakeCandidates {
  constructor(private readonly all: RouteCandidate[]) {}
  byIds(ids: readonly string[]): Promise<RouteCandidate[]> {
    return Promise.resolve(this.all.filter((c) => ids.includes(c.customerId)));
  }
  byFilter(_filter: CandidateFilter): Promise<{ located: RouteCandidate[]; unlocated: RouteCandidate[] }> {
    return Promise.resolve({
      located: this.all.filter((c) => c.lat !== null),
      unlocated: this.all.filter((c) => c.lat === null),
    });
  }
}

const START = { lat: 22.54, lng: 114.05 };
const base: PlanRouteCommand = {
  start: START,
  returnToStart: false,
  limit: 200,
  weighting: 'none',
  timeWindows: [],
};

function useCase(all: RouteCandidate[]): PlanRouteUseCase {
  return new PlanRouteUseCase(new FakeCandidates(all) as never);
}

describe('overdueShares', () => {
  it('gives each customer its share per currency, averaged over currencies, never converting', () => {
    const shares = overdueShares([
      { balances: [cny(300n)] },
      { balances: [cny(100n), usd(5n)] },
      { balances: [] },
    ]);
    expect(shares[0]).toBeCloseTo(0.75 / 2, 9);
    expect(shares[1]).toBeCloseTo((0.25 + 1) / 2, 9);
    expect(shares[2]).toBe(0);
    expect(shares.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 9);
  });

  it('is all zero when nobody is overdue (credits are not money to collect)', () => {
    expect(overdueShares([{ balances: [cny(0n, 10n)] }, { balances: [cny(-5n)] }])).toEqual([0, 0]);
  });
});

describe('PlanRouteUseCase', () => {
  const all = [
    candidate('a', 22.55, 114.06, [cny(100n)]),
    candidate('b', 22.6, 114.1, [cny(900n), usd(50n)]),
    candidate('c', 22.5, 114.0, [cny(0n, 70n)]),
    candidate('z', null, null, [cny(10n)]),
  ];

  it('routes the located, lists the unlocated with the reason, and sums per currency', async () => {
    const route = await useCase(all).execute({ ...base, customerIds: ['a', 'b', 'c', 'z'] });
    expect(route.stops.map((s) => s.customerId).sort()).toEqual(['a', 'b', 'c']);
    expect(route.unlocated).toEqual([{ customerId: 'z', name: 'Customer z', reason: 'country_only' }]);
    expect(route.totalExpected).toEqual([
      { amount: '10.00', currency: 'CNY' },
      { amount: '0.50', currency: 'USD' },
    ]);
    expect(route.totalOutstanding).toEqual([
      { amount: '10.70', currency: 'CNY' },
      { amount: '0.50', currency: 'USD' },
    ]);
    expect(route.end).toBeNull();
  });

  it('names each unknown id in a 404', async () => {
    const err = await useCase(all)
      .execute({ ...base, customerIds: ['a', 'nope', 'b', 'gone'] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RouteException);
    expect((err as RouteException).status).toBe(404);
    expect((err as RouteException).details.map((d) => d.field)).toEqual(['customerIds[1]', 'customerIds[3]']);
  });

  it('keeps the nearest past the limit, or the most overdue when weighted', async () => {
    const nearest = await useCase(all).execute({ ...base, filter: {}, limit: 1 });
    expect(nearest.stops.map((s) => s.customerId)).toEqual(['a']);
    expect(nearest.leftOut).toBe(2);
    const weighted = await useCase(all).execute({ ...base, filter: {}, limit: 1, weighting: 'overdue' });
    expect(weighted.stops.map((s) => s.customerId)).toEqual(['b']);
  });

  it('gives arrival times with windows, using the default schedule when none is given', async () => {
    const route = await useCase(all).execute({
      ...base,
      customerIds: ['a'],
      timeWindows: [{ customerId: 'a', earliestMinute: 600, latestMinute: 660 }],
    });
    // ~1.6 km at 30 km/h from 09:00: there about 09:03, waiting until 10:00.
    expect(route.stops[0]).toMatchObject({
      window: '10:00-11:00',
      arrival: '09:03',
      lateMinutes: 0,
      waitMinutes: 57,
    });
    expect(route.feasible).toBe(true);
  });
});

describe('clockOf', () => {
  it('writes minutes since midnight as HH:MM', () => {
    expect(clockOf(0)).toBe('00:00');
    expect(clockOf(9 * 60 + 5.4)).toBe('09:05');
    expect(clockOf(25 * 60)).toBe('25:00');
  });
});
