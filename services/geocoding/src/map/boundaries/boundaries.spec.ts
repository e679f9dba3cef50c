import type { MultiPolygon, Polygon, Position } from 'geojson';
import { OfflineGeocoder } from '../../geocoder/offline/offline-geocoder';
import { boundaries } from './boundaries';

/** Even-odd ray casting: inside a polygon's outer ring and outside its holes. */
function inRing(point: Position, ring: Position[]): boolean {
  const [x = 0, y = 0] = point;
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi = 0, yi = 0] = ring[i] ?? [];
    const [xj = 0, yj = 0] = ring[j] ?? [];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function contains(geometry: Polygon | MultiPolygon, point: Position): boolean {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  return polygons.some(
    ([outer, ...holes]) => !!outer && inRing(point, outer) && !holes.some((h) => inRing(point, h)),
  );
}

describe('shipped boundaries', () => {
  const cities = boundaries('city');
  let geocoder: OfflineGeocoder;
  beforeAll(async () => {
    geocoder = await OfflineGeocoder.load();
  });

  it('has every prefecture-level city of China once, each keyed under a shipped province', () => {
    const provinceKeys = new Set(boundaries('province').features.map((f) => f.properties.key));
    const keys = cities.features.map((f) => f.properties.key);
    expect(keys.length).toBeGreaterThan(330);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(provinceKeys).toContain(key.split('/')[0]);
    expect(cities.source).toMatch(/Apache-2\.0.*WGS-84/);
  });

  it.each([
    // [address the geocoder reads, a point inside the city (WGS-84, lng/lat)]
    ['广东省深圳市南山区', [113.93, 22.53]],
    ['北京市朝阳区', [116.44, 39.92]],
    ['四川省成都市武侯区', [104.04, 30.64]],
    ['山东省济南市莱芜区', [117.68, 36.21]],
  ] as const)('keys %s like the city roll-up of its pins, and its outline holds the place', (line, point) => {
    const n = geocoder.geocodeNow({ countryCode: 'CN', singleLine: line })?.normalized;
    const key = `${n?.countryCode ?? '?'}-${n?.region?.code ?? '?'}/${n?.city ?? '?'}`;
    const city = cities.features.find((f) => f.properties.key === key);
    expect(city).toBeDefined();
    expect(contains(city?.geometry as Polygon | MultiPolygon, [...point])).toBe(true);
    const others = cities.features.filter((f) => f !== city && contains(f.geometry, [...point]));
    expect(others.map((f) => f.properties.key)).toEqual([]);
  });
});
