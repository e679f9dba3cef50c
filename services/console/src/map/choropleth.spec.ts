import type { Boundaries, RegionRollup } from '../api/types';
import { amountBreaks, buildChoropleth, CHOROPLETH_COLOURS } from './choropleth';

const region = (key: string, count: number, overdue: number, outstanding: string[]): RegionRollup => ({
  key,
  countryCode: 'CN',
  regionCode: key.slice(3),
  city: null,
  name: key,
  count,
  counts: { paid: count - overdue, unpaid: 0, overdue },
  outstanding: outstanding.map((o) => {
    const [amount = '0', currency = 'CNY'] = o.split(' ');
    return { amount, currency };
  }),
  overdue: [],
});

const boundaries: Boundaries = {
  type: 'FeatureCollection',
  features: ['CN-30', 'CN-11', 'CN-25'].map((key) => ({
    type: 'Feature',
    properties: { key, name: key },
    geometry: { type: 'Polygon', coordinates: [] },
  })),
};

type Props = { key: string; bucket?: number; value?: number };
const props = (c: { data: Boundaries }): Props[] =>
  (c.data.features as { properties: Props }[]).map((f) => f.properties);

describe('the region choropleth', () => {
  const regions = [region('CN-30', 10, 6, ['1000.00 CNY']), region('CN-11', 4, 0, ['10.00 USD'])];

  it('colours each region with customers by its overdue share, regions without none', () => {
    const c = buildChoropleth(boundaries, regions, 'overdueShare', 'CNY');
    expect(props(c)).toEqual([
      { key: 'CN-30', name: 'CN-30', value: 0.6, bucket: 3 },
      { key: 'CN-11', name: 'CN-11', value: 0, bucket: 0 },
      { key: 'CN-25', name: 'CN-25' },
    ]);
    expect(c.classes.map((k) => k.colour)).toEqual([...CHOROPLETH_COLOURS]);
    expect(c.classes[4]).toEqual({ colour: CHOROPLETH_COLOURS[4], min: 0.75, max: null });
  });

  it('colours by outstanding in one currency only, in round steps', () => {
    const c = buildChoropleth(boundaries, regions, 'outstanding', 'CNY');
    expect(props(c).map((p) => p.bucket)).toEqual([4, undefined, undefined]);
    expect(amountBreaks([1000])).toEqual([0, 200, 400, 600, 800]);
    expect(amountBreaks([12_345])).toEqual([0, 3000, 6000, 9000, 12_000]);
    expect(amountBreaks([])).toEqual([0, 1, 2, 3, 4]);
  });
});
