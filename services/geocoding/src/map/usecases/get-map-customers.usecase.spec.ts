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

  it('clusters every pin for a zoom level and then cuts to the box', async () => {
    const findLocated = jest.fn().mockResolvedValue(pins);
    const useCase = new GetMapCustomersUseCase({ findLocated } as unknown as PinRepository, config);
    const result = await useCase.execute({ bbox: [100, 0, 180, 90], zoom: 4 });
    expect(findLocated).toHaveBeenCalledWith({});
    expect(result.features).toHaveLength(1);
    expect(result.features[0]?.properties).toMatchObject({ cluster: true, point_count: 2, color: '#020202' });
  });
});
