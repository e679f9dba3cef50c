import type { GeocodingConfig } from '../../config';
import type { LocatedPin, PinRepository } from '../pin.repository';
import { GetMapCustomersUseCase } from './get-map-customers.usecase';

const config = {
  MAP_COLOR_PAID: '#010101',
  MAP_COLOR_UNPAID: '#020202',
  MAP_COLOR_OVERDUE: '#030303',
  MAP_CLUSTER_RADIUS: 60,
  MAP_CLUSTER_MAX_ZOOM: 16,
} as GeocodingConfig;

const located = (customerId: string, lng: number, lat: number, status: LocatedPin['status']): LocatedPin => ({
  customerId,
  name: customerId,
  lat,
  lng,
  precision: 'city',
  source: 'geonames',
  status,
  tier: 'standard',
  creditGrade: null,
  daysOverdue: 0,
  balances: [],
});

describe('GetMapCustomersUseCase', () => {
  const pins = [
    located('a', 121.46, 31.22, 'unpaid'),
    located('b', 121.46, 31.22, 'paid'),
    located('c', 13.4, 52.5, 'overdue'),
  ];

  it('lists one point per pin in the box, coloured from the config', async () => {
    const findLocated = jest.fn().mockResolvedValue(pins);
    const useCase = new GetMapCustomersUseCase({ findLocated } as unknown as PinRepository, config);
    const result = await useCase.execute({ bbox: [0, 0, 180, 90], statuses: ['paid', 'unpaid', 'overdue'] });
    expect(findLocated).toHaveBeenCalledWith({
      bbox: [0, 0, 180, 90],
      statuses: ['paid', 'unpaid', 'overdue'],
    });
    expect(result.type).toBe('FeatureCollection');
    expect(result.features.map((f) => f.properties.color)).toEqual(['#020202', '#010101', '#030303']);
  });

  it('clusters from the grid up to zoom 12 when only status and tier filter', async () => {
    const gridCells = jest.fn().mockResolvedValue([
      {
        cx: 3,
        cy: 5,
        paid: 1,
        unpaid: 0,
        overdue: 2,
        lat: 31,
        lng: 121,
        pinNo: null,
        sums: [{ currency: 'CNY', outstanding: 150050n, overdue: 100n }],
      },
    ]);
    const findLocated = jest.fn();
    const useCase = new GetMapCustomersUseCase(
      { gridCells, findLocated } as unknown as PinRepository,
      config,
    );
    const result = await useCase.execute({ bbox: [100, 0, 180, 90], zoom: 4, tiers: ['vip'] });
    expect(findLocated).not.toHaveBeenCalled();
    expect(gridCells).toHaveBeenCalledWith(4, [100, 0, 180, 90], { tiers: ['vip'] });
    expect(result.features[0]).toMatchObject({
      geometry: { coordinates: [121, 31] },
      properties: {
        cluster: true,
        clusterId: 5 * 64 + 3,
        point_count: 3,
        counts: { paid: 1, unpaid: 0, overdue: 2 },
        color: '#030303',
        outstanding: [{ amount: '1500.50', currency: 'CNY' }],
        overdue: [{ amount: '1.00', currency: 'CNY' }],
      },
    });
  });

  it("shows a grid cell of one customer as that customer's pin", async () => {
    const cell = { paid: 0, unpaid: 1, overdue: 0, sums: [] };
    // Shanghai's pin is in cell (3429, 1673) at zoom 10 (k = 12); the other cell's pin is not found.
    const gridCells = jest.fn().mockResolvedValue([
      { ...cell, cx: 3429, cy: 1673, lat: 31.22, lng: 121.46, pinNo: '7' },
      { ...cell, cx: 10, cy: 10, lat: 80, lng: -170, pinNo: '9' },
    ]);
    const findLocated = jest.fn().mockResolvedValue([pins[0]]);
    const useCase = new GetMapCustomersUseCase(
      { gridCells, findLocated } as unknown as PinRepository,
      config,
    );
    const result = await useCase.execute({ zoom: 10, statuses: ['unpaid'] });
    expect(findLocated).toHaveBeenCalledWith({ statuses: ['unpaid'], pinNos: ['7', '9'] });
    expect(result.features.map((f) => f.properties)).toEqual([
      expect.objectContaining({ cluster: true, point_count: 1 }),
      expect.objectContaining({ customerId: 'a', color: '#020202' }),
    ]);
  });

  it('clusters the pins in and around the box with a territory, days overdue or above the grid', async () => {
    const findLocated = jest.fn().mockResolvedValue(pins);
    const gridCells = jest.fn();
    const useCase = new GetMapCustomersUseCase(
      { findLocated, gridCells } as unknown as PinRepository,
      config,
    );
    const result = await useCase.execute({ bbox: [100, 0, 179, 80], zoom: 4, minOverdueDays: 30 });
    expect(gridCells).not.toHaveBeenCalled();
    // Two radii of 60 px at zoom 4 are 10.55 degrees: the box crosses the antimeridian once widened.
    const around = findLocated.mock.calls[0][0].bbox as number[];
    expect(around[0]).toBeCloseTo(89.45, 2);
    expect(around[2]).toBeCloseTo(-170.45, 2);
    expect(result.features).toHaveLength(1);
    expect(result.features[0]?.properties).toMatchObject({ cluster: true, point_count: 2, color: '#020202' });
    await useCase.execute({ bbox: [121, 31, 121.5, 31.5], zoom: 17 });
    expect(gridCells).not.toHaveBeenCalled();
  });
});
