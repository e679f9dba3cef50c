// The labelled set of `npm run bench:geocode` (bench/data/geocode): it lives outside jest's roots,
// so its checks live here. It must stay big enough for the acceptance floors to mean something.
import { CATEGORIES, loadAddressSet, type LabelledAddress } from '../bench/data/geocode/address-set';
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

  it('gives every row but garbage truth coordinates, and garbage none', () => {
    const wrong = rows.filter((r) =>
      r.category === 'garbage'
        ? r.truth !== undefined
        : !r.truth || !(Math.abs(r.truth.lat) <= 90 && Math.abs(r.truth.lng) <= 180),
    );
    expect(wrong.map((r) => r.id)).toEqual([]);
  });

  it('labels Chinese rows with six-digit district codes, inside China', () => {
    const chinese = rows.filter((r) => r.category.startsWith('cn-'));
    expect(chinese.filter((r) => r.districtCode).length).toBeGreaterThanOrEqual(chinese.length * 0.95);
    for (const r of chinese) {
      if (r.districtCode) expect(r.districtCode).toMatch(/^\d{6}$/);
      expect(r.truth?.lat).toBeGreaterThan(18);
      expect(r.truth?.lng).toBeGreaterThan(73);
    }
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
