import type { Territory } from '@duemap/auth';
import type { PinRepository, RollupCounts, RollupSums } from '../pin.repository';
import { GetRegionRollupsUseCase } from './get-region-rollups.usecase';

const counts = (c: Partial<RollupCounts> & Pick<RollupCounts, 'countryCode'>): RollupCounts => ({
  regionCode: null,
  regionName: null,
  city: null,
  districtCode: null,
  districtName: null,
  total: 0,
  paid: 0,
  unpaid: 0,
  overdue: 0,
  lat: 0,
  lng: 0,
  ...c,
});

function useCaseWith(rows: RollupCounts[], sums: RollupSums[], unlocated = 0) {
  // The same rows from the pre-aggregated roll-ups and from the pins: which one answers is checked below.
  const repo = {
    aggregatedRollupCounts: jest.fn().mockResolvedValue(rows),
    aggregatedRollupSums: jest.fn().mockResolvedValue(sums),
    rollupCounts: jest.fn().mockResolvedValue(rows),
    rollupSums: jest.fn().mockResolvedValue(sums),
    countUnlocated: jest.fn().mockResolvedValue(unlocated),
  };
  return { useCase: new GetRegionRollupsUseCase(repo as unknown as PinRepository), repo };
}

describe('GetRegionRollupsUseCase', () => {
  it('merges counts and per-currency sums per province, most customers first', async () => {
    const { useCase, repo } = useCaseWith(
      [
        counts({
          countryCode: 'CN',
          regionCode: '23',
          regionName: '上海市',
          total: 1,
          unpaid: 1,
          lat: 31,
          lng: 121,
        }),
        counts({ countryCode: 'CN', regionCode: '30', regionName: '广东省', total: 3, paid: 1, overdue: 2 }),
        counts({ countryCode: 'CN', regionCode: null, total: 1, paid: 1 }),
      ],
      [
        {
          countryCode: 'CN',
          regionCode: '30',
          city: null,
          districtCode: null,
          currency: 'CNY',
          outstanding: 150050n,
          overdue: 100n,
        },
        {
          countryCode: 'CN',
          regionCode: '30',
          city: null,
          districtCode: null,
          currency: 'USD',
          outstanding: 99n,
          overdue: 0n,
        },
      ],
      2,
    );
    const result = await useCase.execute({ level: 'province', countryCode: 'CN', statuses: ['overdue'] });
    expect(repo.aggregatedRollupCounts).toHaveBeenCalledWith('province', {
      countryCode: 'CN',
      statuses: ['overdue'],
    });
    expect(repo.aggregatedRollupSums).toHaveBeenCalledWith('province', {
      countryCode: 'CN',
      statuses: ['overdue'],
    });
    expect(repo.rollupCounts).not.toHaveBeenCalled();
    expect(result.unlocated).toBe(2);
    expect(result.regions.map((r) => r.key)).toEqual(['CN-30', 'CN-23', 'CN-?']);
    expect(result.regions[0]).toMatchObject({
      name: '广东省',
      count: 3,
      counts: { paid: 1, unpaid: 0, overdue: 2 },
      outstanding: [
        { amount: '1500.50', currency: 'CNY' },
        { amount: '0.99', currency: 'USD' },
      ],
      overdue: [
        { amount: '1.00', currency: 'CNY' },
        { amount: '0.00', currency: 'USD' },
      ],
    });
    expect(result.regions[1]).toMatchObject({ outstanding: [], center: { lat: 31, lng: 121 } });
    expect(result.regions[2]?.name).toBe('China (region unknown)');
  });

  it('names countries at country level', async () => {
    const { useCase } = useCaseWith([counts({ countryCode: 'DE', total: 2 })], []);
    const result = await useCase.execute({ level: 'country' });
    expect(result.regions).toEqual([
      expect.objectContaining({ key: 'DE', name: 'Germany', regionCode: null, count: 2 }),
    ]);
  });

  it("scans the pins for a caller's territory, which the pre-aggregated roll-ups do not know", async () => {
    const { useCase, repo } = useCaseWith([counts({ countryCode: 'DE', total: 2 })], []);
    const territory: Territory = { countries: [], provinces: [], salesTerritories: [], customerIds: ['a'] };
    await useCase.execute({ level: 'city', territory });
    expect(repo.rollupCounts).toHaveBeenCalledWith('city', { territory });
    expect(repo.rollupSums).toHaveBeenCalledWith('city', { territory });
    expect(repo.aggregatedRollupCounts).not.toHaveBeenCalled();
    expect(repo.aggregatedRollupSums).not.toHaveBeenCalled();
  });
});
