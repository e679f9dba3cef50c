// The labelled set of `npm run bench:geocode` (bench/data/geocode): it lives outside jest's roots,
// so its checks live here. It must stay big enough for the acceptance floors to mean something.
import fs from 'node:fs';
import {
  ADDRESSES_FILE,
  CATEGORIES,
  loadAddressSet,
  type LabelledAddress,
} from '../bench/data/geocode/address-set';
import { bd09ToWgs84, build } from '../bench/data/geocode/build';

describe('geocoding bench address set', () => {
  let rows: LabelledAddress[];
  beforeAll(() => {
    rows = loadAddressSet();
  });

  it('has at least 1,000 rows, 600 of them Chinese and 50 garbage, in every category', () => {
    expect(rows.length).toBeGreaterThanOrEqual(1000);
    expect(rows.filter((r) => r.category.startsWith('cn-')).length).toBeGreaterThanOrEqual(600);
    expect(rows.filter((r) => r.category === 'garbage').length).toBeGreaterThanOrEqual(50);
    for (const category of CATEGORIES) expect(rows.some((r) => r.category === category)).toBe(true);
  });

  it('stays small enough to evaluate in seconds and to keep in the repository', () => {
    expect(rows.length).toBeLessThanOrEqual(12_000);
    expect(fs.statSync(ADDRESSES_FILE).size).toBeLessThan(3_500_000);
  });

  // Issue 16's district floor must be measured on a set that represents China: many distinct
  // places (each written nine ways), most provinces, hundreds of districts, no city dominating.
  it('spreads its Chinese rows over >= 1,000 places, 25 provinces and 200 districts, not Beijing-heavy', () => {
    const places = new Map<string, LabelledAddress>();
    for (const r of rows.filter((r) => r.category.startsWith('cn-')))
      places.set(`${r.truth?.lat},${r.truth?.lng},${r.districtCode}`, r);
    const codes = [...places.values()].map((r) => r.districtCode ?? '');
    const byProvince = new Map<string, number>();
    for (const code of codes) byProvince.set(code.slice(0, 2), (byProvince.get(code.slice(0, 2)) ?? 0) + 1);
    expect(places.size).toBeGreaterThanOrEqual(1000);
    expect(byProvince.size).toBeGreaterThanOrEqual(25);
    expect(new Set(codes).size).toBeGreaterThanOrEqual(200);
    expect(byProvince.get('11') ?? 0).toBeLessThanOrEqual(places.size * 0.1);
    expect(Math.max(...byProvince.values())).toBeLessThanOrEqual(places.size * 0.3);
    expect(new Set([...places.values()].map((r) => r.source))).toEqual(
      new Set(['wikidata-universities-cn', 'osm-towns-cn', 'wikidata-districts-cn']),
    );
  });

  it('gives every row but garbage truth coordinates, and garbage none', () => {
    const wrong = rows.filter((r) =>
      r.category === 'garbage'
        ? r.truth !== undefined
        : !r.truth || !(Math.abs(r.truth.lat) <= 90 && Math.abs(r.truth.lng) <= 180),
    );
    expect(wrong.map((r) => r.id)).toEqual([]);
  });

  it('labels every Chinese row with a six-digit district code, inside China', () => {
    const wrong = rows
      .filter((r) => r.category.startsWith('cn-'))
      .filter(
        (r) =>
          !/^\d{6}$/.test(r.districtCode ?? '') ||
          !r.truth ||
          !(r.truth.lat > 18 && r.truth.lat < 54 && r.truth.lng > 73 && r.truth.lng < 135),
      );
    expect(wrong.map((r) => r.id)).toEqual([]);
  });

  it('has unique ids and is what build.ts makes from the vendored sources', () => {
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    expect(build()).toEqual(rows);
  });

  it('converts BD-09 to WGS-84 (Peking University lands on its campus)', () => {
    const { lat, lng } = bd09ToWgs84(39.998877, 116.316833);
    expect(lat).toBeCloseTo(39.9916, 3);
    expect(lng).toBeCloseTo(116.3042, 3);
  });
});
