/**
 * Builds the labelled address set of `npm run bench:geocode` (addresses.jsonl) from the vendored
 * sources in ./sources, deterministically: same sources, same file. See SOURCES.md.
 *
 *   node -r @swc-node/register bench/data/geocode/build.ts            # sources/ -> addresses.jsonl
 *   node -r @swc-node/register bench/data/geocode/build.ts extract-universities <universities_raw.csv>
 *   node -r @swc-node/register bench/data/geocode/build.ts extract-cities <data.de.js> <data.eu.js>
 *   node -r @swc-node/register bench/data/geocode/build.ts extract-towns <places.dbf> <places.shp> \
 *     <streets.csv> <china-cities.json>
 *     # upstream files -> sources/*.jsonl (the one-off steps that made the vendored extracts)
 *
 * Nothing here reads the geocoder's data (GeoNames, world-countries, district centres): truth
 * coordinates are OpenStreetMap town nodes (WGS-84) and Wikidata coordinate locations (P625,
 * WGS-84) of Chinese universities, districts and European cities; district codes come from the
 * NBS code lists (modood): a town's 9-digit township code, a university's "located in" (P131)
 * resolved by name, a district's own code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pinyin } from 'pinyin-pro';
import { ADDRESSES_FILE, CATEGORIES, type LabelledAddress } from './address-set';

const HERE = __dirname;
const SOURCES = path.join(HERE, 'sources');
// ---------------------------------------------------------------------------------------------
// Deterministic randomness: mulberry32 with a fixed seed.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = rng(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

// ---------------------------------------------------------------------------------------------
// BD-09 (Baidu) -> GCJ-02 -> WGS-84. The first step is Baidu's published closed form; the second
// inverts the GCJ-02 offset by fixed-point iteration (error well under 1 m after a few rounds).
// No vendored source needs it now (Wikidata is WGS-84); it stays for a Baidu- or Amap-sourced
// labelled set, where truth must never be compared in the shifted datum.
const X_PI = (Math.PI * 3000) / 180;
const A = 6378245;
const EE = 0.006693421622965943;

function bd09ToGcj02(lat: number, lng: number): [number, number] {
  const x = lng - 0.0065;
  const y = lat - 0.006;
  const z = Math.sqrt(x * x + y * y) - 0.00002 * Math.sin(y * X_PI);
  const theta = Math.atan2(y, x) - 0.000003 * Math.cos(x * X_PI);
  return [z * Math.sin(theta), z * Math.cos(theta)];
}

function gcjOffset(lat: number, lng: number): [number, number] {
  const x = lng - 105;
  const y = lat - 35;
  let dLat =
    -100 +
    2 * x +
    3 * y +
    0.2 * y * y +
    0.1 * x * y +
    0.2 * Math.sqrt(Math.abs(x)) +
    ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3 +
    ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3 +
    ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30)) * 2) / 3;
  let dLng =
    300 +
    x +
    2 * y +
    0.1 * x * x +
    0.1 * x * y +
    0.1 * Math.sqrt(Math.abs(x)) +
    ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3 +
    ((20 * Math.sin(x * Math.PI) + 40 * Math.sin((x / 3) * Math.PI)) * 2) / 3 +
    ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3;
  const radLat = (lat / 180) * Math.PI;
  const magic = 1 - EE * Math.sin(radLat) ** 2;
  const sqrtMagic = Math.sqrt(magic);
  dLat = (dLat * 180) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI);
  dLng = (dLng * 180) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return [dLat, dLng];
}

function gcj02ToWgs84(lat: number, lng: number): [number, number] {
  let wLat = lat;
  let wLng = lng;
  for (let i = 0; i < 5; i++) {
    const [dLat, dLng] = gcjOffset(wLat, wLng);
    wLat = lat - dLat;
    wLng = lng - dLng;
  }
  return [wLat, wLng];
}

export function bd09ToWgs84(lat: number, lng: number): { lat: number; lng: number } {
  const [gLat, gLng] = bd09ToGcj02(lat, lng);
  const [wLat, wLng] = gcj02ToWgs84(gLat, gLng);
  return { lat: round6(wLat), lng: round6(wLng) };
}

const round6 = (n: number): number => Math.round(n * 1e6) / 1e6;

// ---------------------------------------------------------------------------------------------
// Sources.
/** A Chinese university from Wikidata, its district resolved to NBS names (extract step below). */
interface UniversityRow {
  /** Wikidata item. */
  qid: string;
  /** Chinese label (zh). */
  name: string;
  /** WGS-84, Wikidata's coordinate location (P625). */
  lat: number;
  lng: number;
  /** NBS names; a municipality's city is the municipality itself (北京市). */
  province: string;
  city: string;
  area: string;
  /** A street address in Chinese, when the source has one (Wikidata's does not). */
  address?: string;
}

/** An OpenStreetMap town node matched to its NBS township (extract step below). */
interface TownRow {
  /** OSM node id. */
  osmId: string;
  /** The township's name, as OSM and the NBS list both write it (柏溪镇, 甘孜镇, 荆竹瑶族乡). */
  name: string;
  /** WGS-84, the node's position (OpenStreetMap's datum). */
  lat: number;
  lng: number;
  /** 9-digit NBS township code: its first six digits are the GB/T 2260 district. */
  code: string;
}

/** A district's own Wikidata item: its code (P442) and coordinate location (P625, WGS-84). */
interface DistrictPointRow {
  code: string;
  name: string;
  qid: string;
  lat: number;
  lng: number;
}

/** One Chinese place of the set, whichever source it comes from, with its district's NBS names. */
interface ChinesePlace {
  /** The source's tag in the rows (SOURCES.md). */
  source: 'wikidata-universities-cn' | 'osm-towns-cn' | 'wikidata-districts-cn';
  /** What the address names after the district: the university, the town; '' for a district. */
  street: string;
  lat: number;
  lng: number;
  /** NBS names; a municipality's city is the municipality itself (北京市, 重庆市). */
  province: string;
  city: string;
  area: string;
  districtCode: string | undefined;
}

interface WikidataCity {
  name: string;
  /** German label of the country (the source query asked for German labels). */
  country: string;
  postcode?: string;
  lat: number;
  lng: number;
}

function readJsonl<T>(file: string): T[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

function readCsv(file: string): string[][] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => line.split(',').map((cell) => cell.replace(/^"|"$/g, '')));
}

/** GB/T 2260 codes by province/city/district name, and names by code, from the NBS list (modood). */
class DivisionCodes {
  private readonly provinces = new Map<string, string>();
  private readonly cities = new Map<string, string>();
  private readonly districts = new Map<string, string>();
  private readonly provinceNames = new Map<string, string>();
  private readonly cityByCode = new Map<string, { name: string; province: string }>();
  private readonly areaByCode = new Map<string, { name: string; city: string }>();

  constructor(dir: string) {
    for (const [code, name] of readCsv(path.join(dir, 'provinces.csv'))) {
      this.provinces.set(name ?? '', code ?? '');
      this.provinceNames.set(code ?? '', name ?? '');
    }
    for (const [code, name, province] of readCsv(path.join(dir, 'cities.csv'))) {
      this.cities.set(`${province}:${name}`, code ?? '');
      this.cityByCode.set(code ?? '', { name: name ?? '', province: province ?? '' });
    }
    for (const [code, name, city] of readCsv(path.join(dir, 'areas.csv'))) {
      this.districts.set(`${city}:${name}`, code ?? '');
      this.areaByCode.set(code ?? '', { name: name ?? '', city: city ?? '' });
    }
  }

  district(province: string, city: string, area: string): string | undefined {
    const p = this.provinces.get(province);
    if (!p) return undefined;
    // Municipalities list their districts under the city "市辖区".
    const c =
      this.cities.get(`${p}:${city}`) ?? (province === city ? this.cities.get(`${p}:市辖区`) : undefined);
    if (!c) return undefined;
    return this.districts.get(`${c}:${area}`);
  }

  /**
   * The names an address writes for a district code: a municipality's districts and counties
   * (listed under 市辖区 and 县) take the municipality as their city; a county-level city
   * directly under its province (省直辖县级行政区划) has no city to write, so it is left out.
   */
  names(code: string): { province: string; city: string; area: string } | undefined {
    const area = this.areaByCode.get(code);
    const city = area && this.cityByCode.get(area.city);
    const province = city && this.provinceNames.get(city.province);
    if (!area || !city || !province || /直辖县级行政区划$/.test(city.name)) return undefined;
    return {
      province,
      city: city.name === '市辖区' || city.name === '县' ? province : city.name,
      area: area.name,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Chinese variants.
const MUNICIPALITIES = new Set(['北京市', '天津市', '上海市', '重庆市']);

/**
 * The peoples that autonomous prefectures, counties and banners carry in their names; 族 is
 * optional because prefectures leave it out (伊犁哈萨克自治州, 博尔塔拉蒙古自治州).
 */
const PEOPLES =
  '(?:各|满|蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|侗|瑶|白|土家|土|哈尼|哈萨克|傣|黎|傈僳|佤|畲|拉祜|水|东乡|纳西|景颇|' +
  '柯尔克孜|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|普米|塔吉克|怒|鄂温克|保安|裕固|独龙)族?';
const AUTONOMOUS = new RegExp(`(?:${PEOPLES})*自治(?:州|县|旗)$`, 'u');

/**
 * "深圳市" -> "深圳", "南山区" -> "南山", "恭城瑶族自治县" -> "恭城", "伊犁哈萨克自治州" -> "伊犁"
 * (as people shorten them); keeps names that would be left with one character.
 */
function shortName(name: string): string {
  const autonomous = name.replace(AUTONOMOUS, '');
  if (autonomous !== name && [...autonomous].length >= 2) return autonomous;
  const stripped = name.replace(
    /(特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|地区|盟|省|市|区|县|旗)$/u,
    '',
  );
  return [...stripped].length >= 2 ? stripped : name;
}

/**
 * A district as people abbreviate it after its city, unless the short form would misread:
 * 市中区, 市南区 ("青岛市南" reads as 青岛市 + 南) and 路南区, 路北区 ("唐山路南" reads as a road)
 * keep their suffix, and so does a district named like its city (和田地区和田县: "和田和田").
 */
function shortDistrict(area: string, city: string): string {
  const short = shortName(area);
  return /^[市路]/u.test(short) || short === shortName(city) ? area : short;
}

/** What follows the district in the university's own address, else the university's name. */
function streetPart(row: UniversityRow): string {
  const address = row.address ?? '';
  const at = address.indexOf(row.area);
  if (at >= 0) {
    const rest = address.slice(at + row.area.length).trim();
    if (rest !== '') return rest;
  }
  return row.name;
}

function fullWidth(text: string): string {
  return text.replace(/[0-9A-Za-z]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0));
}

// Simplified -> traditional for characters common in administrative names and street addresses.
// Hand-made (no converter package in the repo); characters not listed stay as they are.
// Each string is simplified/traditional pairs; characters whose traditional form depends on the
// word (干 乾/幹, 昆明 but 崑山, 岳阳 but 五嶽) are left out.
const TRADITIONAL: ReadonlyMap<string, string> = new Map(
  [
    '东東区區县縣广廣门門龙龍华華长長兴興宁寧乐樂汉漢丰豐万萬台臺阳陽辽遼苏蘇贵貴云雲陕陝宝寶岛島湾灣',
    '桥橋镇鎮乡鄉号號楼樓层層园園业業开開发發经經济濟远遠进進达達连連运運还還这這边邊关關际際陆陸围圍',
    '国國图圖场場坝壩坛壇块塊墙牆师師学學职職专專术術艺藝医醫药藥农農财財贸貿电電机機软軟网網务務级級',
    '纪紀红紅绿綠蓝藍黄黃钢鋼铁鐵银銀锦錦镜鏡闽閩闵閔闸閘陈陳荣榮营營滨濱沪滬浏瀏涌湧湿濕温溫泽澤洁潔',
    '浑渾滩灘汤湯沟溝沈瀋鸡雞鸭鴨鹤鶴凤鳳马馬鱼魚鲁魯齐齊历歷庆慶厦廈岭嶺峡峽尔爾当當义義为為乌烏',
    '无無仓倉个個们們伦倫侨僑传傳体體余餘刘劉协協卫衛厂廠压壓听聽员員启啟团團坏壞处處备備复復头頭夹夾',
    '奋奮妇婦实實宾賓对對寻尋导導将將届屆岗崗峦巒币幣帅帥带帶庄莊应應库庫庐廬张張弯彎归歸总總恒恆',
    '户戶扬揚护護报報拥擁换換数數斋齋时時显顯杨楊极極构構枣棗栋棟树樹检檢毕畢气氣汇匯沧滄浅淺渔漁',
    '灵靈炉爐热熱爱愛环環现現产產畅暢盐鹽监監盘盤硕碩礼禮离離种種积積称稱竞競笔筆纳納纺紡练練组組织織',
    '绍紹综綜维維罗羅联聯肃肅胜勝脑腦苍蒼萧蕭观觀规規计計让讓训訓设設访訪证證评評识識试試诚誠该該语語',
    '说說调調贤賢资資赣贛车車轨軌轻輕辉輝较較过過迁遷选選邮郵邓鄧郑鄭酝醞释釋钟鍾铜銅锡錫锋鋒问問间間',
    '闻聞阁閣阴陰隐隱难難须須顺順领領风風飞飛饶饒馆館驻駐验驗鸿鴻龟龜',
  ].flatMap((pairs) =>
    [...pairs.matchAll(/(.)(.)/gu)].map((m): [string, string] => [m[1] ?? '', m[2] ?? '']),
  ),
);

function traditional(text: string): string {
  return [...text].map((ch) => TRADITIONAL.get(ch) ?? ch).join('');
}

/**
 * Nine address forms per university, the ways a customer record names the same place: two
 * structured (with and without the province) and seven one-line forms.
 */
const CN_FORMS = [
  'fields',
  'fields-no-region',
  'full',
  'no-province',
  'abbreviated',
  'full-width',
  'traditional',
  'spaced',
  'name-first',
] as const;

function chineseRows(places: readonly ChinesePlace[]): LabelledAddress[] {
  const rows: LabelledAddress[] = [];
  places.forEach((u, i) => {
    const truth = { lat: round6(u.lat), lng: round6(u.lng) };
    const street = u.street;
    const base = { truth, ...(u.districtCode ? { districtCode: u.districtCode } : {}), source: u.source };
    const municipality = MUNICIPALITIES.has(u.province);
    const city = municipality ? '' : u.city;
    const full = `${u.province}${city}${u.area}${street}`;
    for (const form of CN_FORMS) {
      if (form === 'fields' || form === 'fields-no-region') {
        rows.push({
          id: `cn-s-${i}-${form}`,
          category: 'cn-structured',
          variant: form,
          address: {
            countryCode: 'CN',
            ...(form === 'fields' ? { region: u.province } : {}),
            city: u.city,
            district: u.area,
            ...(street ? { streetLines: [street] } : {}),
          },
          ...base,
        });
        continue;
      }
      const singleLine =
        form === 'full'
          ? full
          : form === 'no-province'
            ? `${u.city}${u.area}${street}`
            : form === 'abbreviated'
              ? `${shortName(u.city)}${shortDistrict(u.area, u.city)}${street}`
              : form === 'full-width'
                ? fullWidth(`${u.province}${city}${u.area}`) + (street ? `\u3000${fullWidth(street)}` : '')
                : form === 'traditional'
                  ? traditional(full)
                  : form === 'spaced'
                    ? [u.province, city, u.area, street].filter((p) => p).join(' ')
                    : [street, u.area, city, u.province].filter((p) => p).join('，');
      rows.push({
        id: `cn-f-${i}-${form}`,
        category: 'cn-freeform',
        variant: form,
        address: { singleLine },
        ...base,
      });
    }
  });
  return rows;
}

/** Universities as places: their name is the street part, their district resolved by name. */
function universityPlaces(universities: readonly UniversityRow[], codes: DivisionCodes): ChinesePlace[] {
  return universities
    .filter((u) => u.province && u.city && u.area)
    .map((u) => ({
      source: 'wikidata-universities-cn',
      street: streetPart(u),
      lat: u.lat,
      lng: u.lng,
      province: u.province,
      city: u.city,
      area: u.area,
      districtCode: codes.district(u.province, u.city, u.area),
    }));
}

/** How many OSM towns the set takes (of ~6,400 matched): with the other sources, ~1,050 places. */
const TOWNS_IN_SET = 800;

/**
 * A spread sample of the towns: districts in seeded order, one town from each before any district
 * gives a second, so the sample covers every district the towns reach (598) before it thickens.
 */
function sampleTowns(towns: readonly TownRow[], size: number): TownRow[] {
  const byDistrict = new Map<string, TownRow[]>();
  for (const town of shuffled(towns, 11)) {
    const list = byDistrict.get(town.code.slice(0, 6)) ?? [];
    list.push(town);
    byDistrict.set(town.code.slice(0, 6), list);
  }
  const order = shuffled([...byDistrict.keys()].sort(), 13);
  const sample: TownRow[] = [];
  for (let round = 0; sample.length < size; round++) {
    const before = sample.length;
    for (const district of order) {
      const town = byDistrict.get(district)?.[round];
      if (town && sample.length < size) sample.push(town);
    }
    if (sample.length === before) break;
  }
  return sample;
}

/** Towns as places: the township is the street part ("四川省宜宾市叙州区柏溪镇"). */
function townPlaces(towns: readonly TownRow[], codes: DivisionCodes, notes: string[]): ChinesePlace[] {
  const places: ChinesePlace[] = [];
  let unnamed = 0;
  for (const town of sampleTowns(towns, TOWNS_IN_SET)) {
    const names = codes.names(town.code.slice(0, 6));
    if (!names) {
      unnamed++;
      continue;
    }
    places.push({
      source: 'osm-towns-cn',
      street: town.name,
      lat: town.lat,
      lng: town.lng,
      ...names,
      districtCode: town.code.slice(0, 6),
    });
  }
  if (unnamed > 0) notes.push(`towns: ${unnamed} left out (district not in the NBS list or without a city)`);
  return places;
}

/** Districts as places: an address that stops at the district, truth the district's own point. */
function districtPlaces(points: readonly DistrictPointRow[], codes: DivisionCodes, notes: string[]): ChinesePlace[] {
  const places: ChinesePlace[] = [];
  for (const point of points) {
    const names = codes.names(point.code);
    if (!names || names.area !== point.name) {
      notes.push(`districts: ${point.code} ${point.name} left out (not so named in the NBS list)`);
      continue;
    }
    places.push({
      source: 'wikidata-districts-cn',
      street: '',
      lat: point.lat,
      lng: point.lng,
      ...names,
      districtCode: point.code,
    });
  }
  return places;
}

// ---------------------------------------------------------------------------------------------
// International rows and their typos.
const COUNTRY_BY_GERMAN_NAME: Readonly<Record<string, { code: string; english: string }>> = {
  Deutschland: { code: 'DE', english: 'Germany' },
  Frankreich: { code: 'FR', english: 'France' },
  'Vereinigtes Königreich': { code: 'GB', english: 'United Kingdom' },
  Bulgarien: { code: 'BG', english: 'Bulgaria' },
  Polen: { code: 'PL', english: 'Poland' },
  Kroatien: { code: 'HR', english: 'Croatia' },
  Italien: { code: 'IT', english: 'Italy' },
  Niederlande: { code: 'NL', english: 'Netherlands' },
  Österreich: { code: 'AT', english: 'Austria' },
  Schweiz: { code: 'CH', english: 'Switzerland' },
  Tschechien: { code: 'CZ', english: 'Czechia' },
  Ungarn: { code: 'HU', english: 'Hungary' },
  Rumänien: { code: 'RO', english: 'Romania' },
  Griechenland: { code: 'GR', english: 'Greece' },
  Portugal: { code: 'PT', english: 'Portugal' },
  Schweden: { code: 'SE', english: 'Sweden' },
  Norwegen: { code: 'NO', english: 'Norway' },
  Dänemark: { code: 'DK', english: 'Denmark' },
  Finnland: { code: 'FI', english: 'Finland' },
  Irland: { code: 'IE', english: 'Ireland' },
  Litauen: { code: 'LT', english: 'Lithuania' },
  Lettland: { code: 'LV', english: 'Latvia' },
  Estland: { code: 'EE', english: 'Estonia' },
  Slowakei: { code: 'SK', english: 'Slovakia' },
  Slowenien: { code: 'SI', english: 'Slovenia' },
  Serbien: { code: 'RS', english: 'Serbia' },
  Ukraine: { code: 'UA', english: 'Ukraine' },
  Belarus: { code: 'BY', english: 'Belarus' },
  Moldau: { code: 'MD', english: 'Moldova' },
  Albanien: { code: 'AL', english: 'Albania' },
  Nordmazedonien: { code: 'MK', english: 'North Macedonia' },
  'Bosnien und Herzegowina': { code: 'BA', english: 'Bosnia and Herzegovina' },
  Türkei: { code: 'TR', english: 'Turkey' },
  Georgien: { code: 'GE', english: 'Georgia' },
  Armenien: { code: 'AM', english: 'Armenia' },
  Aserbaidschan: { code: 'AZ', english: 'Azerbaijan' },
  Luxemburg: { code: 'LU', english: 'Luxembourg' },
  Zypern: { code: 'CY', english: 'Cyprus' },
  Malta: { code: 'MT', english: 'Malta' },
  Island: { code: 'IS', english: 'Iceland' },
  Montenegro: { code: 'ME', english: 'Montenegro' },
  Kosovo: { code: 'XK', english: 'Kosovo' },
};

function internationalRows(cities: readonly WikidataCity[]): {
  rows: LabelledAddress[];
  unknownCountries: string[];
} {
  const rows: LabelledAddress[] = [];
  const unknown = new Set<string>();
  const source = 'wikidata-cities'; // SOURCES.md: cities-de/eu.jsonl
  cities.forEach((c, i) => {
    const country = COUNTRY_BY_GERMAN_NAME[c.country];
    if (!country) {
      unknown.add(c.country);
      return;
    }
    const truth = { lat: round6(c.lat), lng: round6(c.lng) };
    // Four shapes a customer record takes: structured with and without postcode, one line in
    // English, one line as a German-speaking clerk writes it.
    const shape = i % 4;
    const address: LabelledAddress['address'] =
      shape === 0
        ? { countryCode: country.code, city: c.name, ...(c.postcode ? { postalCode: c.postcode } : {}) }
        : shape === 1
          ? { countryCode: country.code, city: c.name }
          : shape === 2
            ? { singleLine: `${c.postcode ? `${c.postcode} ` : ''}${c.name}, ${country.english}` }
            : { singleLine: `${c.name}, ${c.country}` };
    rows.push({
      id: `intl-${i}`,
      category: 'international',
      variant: `shape-${shape}`,
      address,
      truth,
      source,
    });
  });
  return { rows, unknownCountries: [...unknown] };
}

function stripDiacritics(text: string): string {
  return text
    .replace(/ß/g, 'ss')
    .replace(/[łŁ]/g, (ch) => (ch === 'ł' ? 'l' : 'L'))
    .normalize('NFD')
    .replace(/\p{M}/gu, '');
}

/** One edit of a name: swap two inner letters, drop one, or double one (chosen by index). */
function oneEdit(name: string, i: number): string {
  const chars = [...name];
  if (chars.length < 5) return name;
  const at = 1 + (i % (chars.length - 3));
  switch (i % 3) {
    case 0:
      [chars[at], chars[at + 1]] = [chars[at + 1] as string, chars[at] as string];
      break;
    case 1:
      chars.splice(at, 1);
      break;
    default:
      chars.splice(at, 0, chars[at] as string);
  }
  return chars.join('');
}

function typoRows(international: readonly LabelledAddress[]): LabelledAddress[] {
  const rows: LabelledAddress[] = [];
  // Every name with diacritics gets its plain spelling (Munchen, Zurich, Koln); one-edit typos fill up.
  const nameOf = (row: LabelledAddress): string => row.address.city ?? row.address.singleLine ?? '';
  const order = shuffled(international, 7).sort(
    (a, b) =>
      Number(stripDiacritics(nameOf(b)) !== nameOf(b)) - Number(stripDiacritics(nameOf(a)) !== nameOf(a)),
  );
  for (const [i, row] of order.entries()) {
    if (rows.length >= 160) break;
    const city = row.address.city ?? row.address.singleLine?.split(',')[0]?.replace(/^\d+\s+/, '');
    const line = row.address.singleLine ?? '';
    const country = row.address.countryCode
      ? Object.values(COUNTRY_BY_GERMAN_NAME).find((c) => c.code === row.address.countryCode)
      : (COUNTRY_BY_GERMAN_NAME[line.slice(line.lastIndexOf(',') + 1).trim()] ??
        Object.values(COUNTRY_BY_GERMAN_NAME).find((c) => line.endsWith(c.english)));
    if (!city || !country) continue;
    const plain = stripDiacritics(city);
    const [variant, typo] = plain !== city ? ['no-diacritics', plain] : ['one-edit', oneEdit(city, i)];
    if (typo === city) continue;
    const address =
      i % 2 === 0 ? { countryCode: country.code, city: typo } : { singleLine: `${typo}, ${country.english}` };
    rows.push({ ...row, id: `typo-${rows.length}`, category: 'typo', variant, address });
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Garbage: what customers type when they do not want to give an address.
const HANDWRITTEN_GARBAGE = [
  'asdfgh',
  'qwerty',
  'asdf 1234',
  '123',
  '0',
  '000000',
  '-',
  '--',
  '.',
  '...',
  '?',
  '???',
  'N/A',
  'n/a',
  'null',
  'undefined',
  'none',
  'test',
  'TEST ADDRESS',
  'xxx',
  'XXXXXX',
  'aaaaaaa',
  'zzz zzz',
  'lorem ipsum',
  'tbd',
  'unknown',
  '!!!',
  '#@$%^&',
  '火星省不存在市',
  '火星省不存在市不存在区',
  '不详',
  '无',
  '暂无',
  '地址',
  '请填写地址',
  '测试',
  '测试地址123',
  '啊啊啊啊',
  '哈哈哈',
  '某某路某某号',
  '🏠',
  '🏠🏠🏠',
  '😀😀',
  '📦 🚚',
  '🍕🍕🍕🍕',
  '👍',
  '123456789',
  '1 2 3',
  'a',
  'ab',
  'asdfghjkl;',
  'qazwsx',
  'hjkl',
  '.....,,,,,',
];

function garbageRows(): LabelledAddress[] {
  const random = rng(42);
  const letters = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const emoji = ['🙂', '🚀', '🌈', '🎉', '🐼', '🔥', '💡', '🧾'];
  const texts = [...HANDWRITTEN_GARBAGE];
  for (let i = 0; i < 30; i++) {
    const length = 4 + Math.floor(random() * 10);
    let text = '';
    for (let j = 0; j < length; j++) text += letters[Math.floor(random() * letters.length)];
    if (i % 3 === 0) text = `${emoji[Math.floor(random() * emoji.length)]}${text}`;
    texts.push(text);
  }
  // Half carry a country, as customer records usually do: the country alone is no location.
  return texts.map((singleLine, i) => ({
    id: `garbage-${i}`,
    category: 'garbage',
    variant: i % 2 === 0 ? 'with-country' : 'text-only',
    address: i % 2 === 0 ? { countryCode: i % 4 === 0 ? 'CN' : 'DE', singleLine } : { singleLine },
    source: 'garbage',
  }));
}

// ---------------------------------------------------------------------------------------------
/** The set; `notes` collects what was left out and why. */
export function build(notes: string[] = []): LabelledAddress[] {
  const codes = new DivisionCodes(SOURCES);
  const places = [
    ...universityPlaces(readJsonl<UniversityRow>(path.join(SOURCES, 'universities-cn-wikidata.jsonl')), codes),
    ...townPlaces(readJsonl<TownRow>(path.join(SOURCES, 'towns-cn-osm.jsonl')), codes, notes),
    ...districtPlaces(readJsonl<DistrictPointRow>(path.join(SOURCES, 'districts-cn-wikidata.jsonl')), codes, notes),
  ];
  const cities = [
    ...readJsonl<WikidataCity>(path.join(SOURCES, 'cities-de.jsonl')),
    ...readJsonl<WikidataCity>(path.join(SOURCES, 'cities-eu.jsonl')),
  ];
  const international = internationalRows(cities);
  if (international.unknownCountries.length > 0)
    notes.push(`left out (country not mapped): ${international.unknownCountries.join(', ')}`);
  return [
    ...chineseRows(places),
    ...international.rows,
    ...typoRows(international.rows),
    ...garbageRows(),
  ];
}

// ---------------------------------------------------------------------------------------------
// The one-off extraction of the Chinese universities: Wikidata rows whose "located in" (P131) is a
// district, county or banner, or a subdistrict whose parent is one, with the English label
// resolved to the NBS name by pinyin (Haidian District -> 海淀区). The parent label, when it is a
// city or province, must match too (Chaoyang District of Beijing, not of Changchun).

/** RFC 4180-ish: quoted fields may hold commas and doubled quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n') {
      row.push(cell.replace(/\r$/, ''));
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/**
 * Every pinyin spelling of a Chinese name (each character in each of its readings, so 郫都 is
 * both "pidu" and "pidou"): English labels spell the reading the place uses.
 */
function pinyinKeys(chinese: string): string[] {
  let keys = [''];
  for (const ch of chinese) {
    const readings = pinyin(ch, { toneType: 'none', type: 'array', multiple: true }).map((r) =>
      r.replace(/[^a-z]/g, ''),
    );
    keys = keys.flatMap((k) => [...new Set(readings)].map((r) => k + r)).slice(0, 256);
  }
  return keys;
}
/** "Lin'an District" -> "linan". */
const englishKey = (label: string): string => label.toLowerCase().replace(/[^a-z]/g, '');
/** English exonyms whose spelling is not the pinyin of the Chinese name. */
const EXONYMS: Readonly<Record<string, string>> = {
  harbin: 'haerbin',
  shaanxi: 'shanxi',
  innermongolia: 'neimenggu',
  tibet: 'xizang',
  hohhot: 'huhehaote',
  urumqi: 'wulumuqi',
  lhasa: 'lasa',
};

/** Rows Wikidata places in a same-named subdivision far from their own point (checked by hand). */
const WRONG_DISTRICT: Readonly<Record<string, string>> = {
  // 赣南师范大学: P131 is a "Ganzhou" town of 奉新县 (宜春), its point is in 赣州, ~330 km south.
  Q18119211: '奉新县',
  // 陇东学院: P131 is a "Qingyang Subdistrict" of 福山区 (烟台), its point is in 庆阳, Gansu.
  Q18119361: '福山区',
};

const DISTRICT_LABEL = /^(.+) (District|County|Banner)$/;
const SUFFIX: Readonly<Record<string, string>> = { District: '区', County: '县', Banner: '旗' };

interface Division {
  province: string;
  city: string;
  area: string;
  /** Pinyin keys of the area's city and province, to check a parent label against. */
  parents: string[];
  /** The city and province without their suffix (北京, 长春, 吉林), to match a university's name. */
  shortNames: string[];
}

function divisionsByKey(dir: string): Map<string, Division[]> {
  const provinces = new Map(
    readCsv(path.join(dir, 'provinces.csv')).map(([code, name]) => [code, name ?? '']),
  );
  const cities = new Map(
    readCsv(path.join(dir, 'cities.csv')).map(([code, name, province]) => [
      code,
      { name: name ?? '', province },
    ]),
  );
  const byKey = new Map<string, Division[]>();
  for (const [, name, cityCode] of readCsv(path.join(dir, 'areas.csv'))) {
    const city = cities.get(cityCode ?? '');
    const province = provinces.get(city?.province ?? '');
    if (!name || !city || !province) continue;
    const suffix = name.slice(-1);
    if (!Object.values(SUFFIX).includes(suffix)) continue;
    // Municipalities list their districts under "市辖区"; customers write the municipality.
    const cityName = city.name === '市辖区' ? province : city.name;
    if (cityName === '省直辖县级行政区划' || cityName === '自治区直辖县级行政区划') continue;
    const strip = (n: string): string =>
      n.replace(/(维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|地区|盟|省|市)$/u, '');
    const division: Division = {
      province,
      city: cityName,
      area: name,
      parents: [...pinyinKeys(strip(cityName)), ...pinyinKeys(strip(province))],
      shortNames: [strip(cityName), strip(province)].filter((n) => [...n].length >= 2),
    };
    for (const key of pinyinKeys(name.slice(0, -1))) {
      const list = byKey.get(`${key}${suffix}`) ?? [];
      list.push(division);
      byKey.set(`${key}${suffix}`, list);
    }
  }
  return byKey;
}

function extractUniversities(csvFile: string, notes: string[]): UniversityRow[] {
  const [header, ...records] = parseCsv(fs.readFileSync(csvFile, 'utf8'));
  const col = (name: string): number => header?.indexOf(name) ?? -1;
  const [cUniv, cZh, cCoord, cCity, cParent] = [
    'univ',
    'univLabel_zh',
    'coord',
    'cityLabel',
    'provinceLabel',
  ].map(col) as [number, number, number, number, number];
  const divisions = divisionsByKey(SOURCES);
  // Every (point, district) a university resolves to; one with several is left out.
  const found = new Map<string, Map<string, UniversityRow>>();
  let unresolved = 0;
  for (const r of records) {
    const qid = (r[cUniv] ?? '').split('/').pop() ?? '';
    const name = r[cZh] ?? '';
    const point = /^Point\((-?[\d.]+) (-?[\d.]+)\)$/.exec(r[cCoord] ?? '');
    const label = r[cCity] ?? '';
    const parent = r[cParent] ?? '';
    if (!qid || !name || !point) continue;
    // The district is the P131 itself, or the parent of a subdistrict (街道). Towns and
    // townships are left out: the rows that name one put the university in the wrong county
    // (a same-named town elsewhere), which would make a wrong truth label.
    let district: RegExpExecArray | null = DISTRICT_LABEL.exec(label);
    let parentKey = englishKey(parent.replace(/ City$/, ''));
    parentKey = EXONYMS[parentKey] ?? parentKey;
    if (!district) {
      if (/(Town|Township)$/.test(label)) continue;
      district = DISTRICT_LABEL.exec(parent);
      parentKey = '';
    }
    if (!district) continue;
    const key = `${englishKey(district[1] ?? '')}${SUFFIX[district[2] ?? ''] ?? ''}`;
    let candidates = (divisions.get(key) ?? []).filter(
      (d) => parentKey === '' || parentKey === 'peoplesrepublicofchina' || d.parents.includes(parentKey),
    );
    // Same-named districts (朝阳区 of 北京 and of 长春): the one whose city the name carries.
    if (candidates.length > 1)
      candidates = candidates.filter((d) => d.shortNames.some((n) => name.includes(n)));
    if (candidates.length !== 1 || WRONG_DISTRICT[qid] === candidates[0]?.area) {
      unresolved++;
      continue;
    }
    const d = candidates[0] as Division;
    const row: UniversityRow = {
      qid,
      name,
      lat: Number(point[2]),
      lng: Number(point[1]),
      province: d.province,
      city: d.city,
      area: d.area,
    };
    const seen = found.get(qid) ?? new Map<string, UniversityRow>();
    seen.set(`${row.lat},${row.lng},${row.area}`, row);
    found.set(qid, seen);
  }
  const rows = [...found.values()]
    .filter((s) => s.size === 1)
    .map((s) => [...s.values()][0] as UniversityRow);
  notes.push(
    `universities: ${rows.length} kept, ${found.size - rows.length} with several points or districts, ${unresolved} rows whose district did not resolve to one NBS name`,
  );
  return rows.sort((a, b) => a.qid.localeCompare(b.qid));
}

/** The one-off extraction of the Wikidata cities from staedtl.de's files (SOURCES.md). */
function extractCities(dataDe: string, dataEu: string): void {
  const jsArray = (file: string): unknown[] => {
    const text = fs.readFileSync(file, 'utf8');
    return JSON.parse(text.slice(text.indexOf('['), text.lastIndexOf(']') + 1)) as unknown[];
  };

  interface UpstreamCity {
    n: string;
    z: string | string[];
    c: string;
    g: [number, number];
  }
  const toCity = (c: UpstreamCity): WikidataCity => {
    const postcode = Array.isArray(c.z) ? c.z[0] : c.z;
    return {
      name: c.n,
      country: c.c,
      ...(postcode && /^\d{4,5}$/.test(postcode) ? { postcode } : {}),
      lat: c.g[1],
      lng: c.g[0],
    };
  };
  writeJsonl(path.join(SOURCES, 'cities-de.jsonl'), (jsArray(dataDe) as UpstreamCity[]).map(toCity));
  writeJsonl(path.join(SOURCES, 'cities-eu.jsonl'), (jsArray(dataEu) as UpstreamCity[]).map(toCity));
}

// ---------------------------------------------------------------------------------------------
// The one-off extraction of the OpenStreetMap towns: HOT's export of populated places (a dBase
// table and a shapefile of points), each town node named "…镇", "…乡" or "…街道" matched to the NBS
// township of that name in the prefecture whose outline holds the point.

/** The text columns of a dBase III table (HOT's exports write UTF-8 and character fields only). */
function readDbf(file: string): Record<string, string>[] {
  const buffer = fs.readFileSync(file);
  const count = buffer.readUInt32LE(4);
  const headerLength = buffer.readUInt16LE(8);
  const recordLength = buffer.readUInt16LE(10);
  const fields: { name: string; length: number }[] = [];
  for (let at = 32; at < headerLength - 1; at += 32) {
    const name = buffer.toString('latin1', at, at + 11).replace(/\0.*$/s, '');
    fields.push({ name, length: buffer.readUInt8(at + 16) });
  }
  const records: Record<string, string>[] = [];
  for (let i = 0; i < count; i++) {
    let at = headerLength + i * recordLength + 1; // after the deletion flag
    const record: Record<string, string> = {};
    for (const field of fields) {
      record[field.name] = buffer.toString('utf8', at, at + field.length).trim();
      at += field.length;
    }
    records.push(record);
  }
  return records;
}

/** The points of a point shapefile, in record order ([lng, lat]; null for a null shape). */
function readShpPoints(file: string): ([number, number] | null)[] {
  const buffer = fs.readFileSync(file);
  const points: ([number, number] | null)[] = [];
  for (let at = 100; at + 8 <= buffer.length; ) {
    const words = buffer.readInt32BE(at + 4); // content length in 16-bit words
    const shapeType = buffer.readInt32LE(at + 8);
    points.push(shapeType === 1 ? [buffer.readDoubleLE(at + 12), buffer.readDoubleLE(at + 20)] : null);
    at += 8 + words * 2;
  }
  return points;
}

type Ring = [number, number][];

function inRing([x, y]: [number, number], ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number];
    const [xj, yj] = ring[j] as [number, number];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

interface Prefecture {
  code: string;
  box: [number, number, number, number];
  polygons: Ring[][];
}

/** Prefecture outlines (GeoJSON features with a GB/T 2260 `code`), with bounding boxes. */
function readPrefectures(file: string): Prefecture[] {
  const collection = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    features: { properties: { code?: string }; geometry: { type: string; coordinates: unknown } }[];
  };
  return collection.features
    .filter((f) => f.properties.code)
    .map((f) => {
      const polygons = (
        f.geometry.type === 'MultiPolygon' ? f.geometry.coordinates : [f.geometry.coordinates]
      ) as Ring[][];
      const outer = polygons.flatMap((p) => p[0] ?? []);
      return {
        code: f.properties.code as string,
        box: [
          Math.min(...outer.map((c) => c[0])),
          Math.min(...outer.map((c) => c[1])),
          Math.max(...outer.map((c) => c[0])),
          Math.max(...outer.map((c) => c[1])),
        ],
        polygons,
      };
    });
}

function prefecturesHolding(point: [number, number], prefectures: readonly Prefecture[]): string[] {
  const [x, y] = point;
  return prefectures
    .filter(({ box: [x0, y0, x1, y1] }) => x >= x0 && x <= x1 && y >= y0 && y <= y1)
    .filter((p) =>
      p.polygons.some(([outer, ...holes]) => outer && inRing(point, outer) && !holes.some((h) => inRing(point, h))),
    )
    .map((p) => p.code);
}

/** Municipalities' outlines carry the code of their urban districts (110100): any county of theirs matches. */
const MUNICIPALITY_PREFIXES = new Set(['11', '12', '31', '50']);

function extractTowns(dbfFile: string, shpFile: string, streetsCsv: string, prefecturesFile: string): TownRow[] {
  const records = readDbf(dbfFile);
  const points = readShpPoints(shpFile);
  if (records.length !== points.length) throw new Error(`${records.length} records but ${points.length} points`);
  const townships = new Map<string, { code: string; city: string }[]>();
  for (const [code, name, , , city] of readCsv(streetsCsv)) {
    const list = townships.get(name ?? '') ?? [];
    list.push({ code: code ?? '', city: city ?? '' });
    townships.set(name ?? '', list);
  }
  const prefectures = readPrefectures(prefecturesFile);
  const counts = new Map<string, number>();
  const count = (why: string): void => void counts.set(why, (counts.get(why) ?? 0) + 1);
  const byCode = new Map<string, TownRow[]>();
  records.forEach((record, i) => {
    const point = points[i];
    // A Han name ending in 镇/乡/街道, after any Tibetan or Latin form ("དཀར་ 甘孜镇").
    const name = /([\u4e00-\u9fff]+(?:镇|乡|街道))$/u.exec(record['name'] ?? '')?.[1];
    if (!point || record['place'] !== 'town' || !name) return;
    // Nodes imported from the NGA's GNS: GeoNames carries the same points, and the geocoder
    // ships GeoNames places, so they are no independent truth.
    if (/GNS/i.test(record['source'] ?? '')) return count('GNS import');
    const candidates = townships.get(name) ?? [];
    if (candidates.length === 0) return count('no NBS township of that name');
    const holding = prefecturesHolding(point, prefectures);
    if (holding.length !== 1) return count('not in exactly one prefecture outline');
    const prefecture = holding[0] as string;
    const matches = candidates.filter((c) =>
      MUNICIPALITY_PREFIXES.has(prefecture.slice(0, 2))
        ? c.code.startsWith(prefecture.slice(0, 2))
        : `${c.city}00` === prefecture,
    );
    if (matches.length !== 1) return count(matches.length === 0 ? 'no such township in that prefecture' : 'several such townships in that prefecture');
    const code = (matches[0] as { code: string }).code;
    const list = byCode.get(code) ?? [];
    list.push({ osmId: record['osm_id'] ?? '', name, lat: round6(point[1]), lng: round6(point[0]), code });
    byCode.set(code, list);
  });
  // Two nodes for one township: which is its seat is unknown, so neither is kept.
  const towns = [...byCode.values()].filter((list) => {
    if (list.length > 1) count('township matched by several nodes');
    return list.length === 1;
  });
  const consistent = consistentTowns(towns.map((list) => list[0] as TownRow), count);
  for (const [why, n] of counts) process.stdout.write(`towns: ${n} left out: ${why}\n`);
  return consistent.sort((a, b) => a.code.localeCompare(b.code));
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

function kmBetween(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const h =
    Math.sin(((b.lat - a.lat) * rad) / 2) ** 2 +
    Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(((b.lng - a.lng) * rad) / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.sqrt(h));
}

/**
 * A town must sit among the other towns matched to its district: a node that took the name of a
 * township merged away since (Sichuan merged a third of its townships in 2019-2020) can match a
 * same-named township of another county in the prefecture. Checked against OpenStreetMap alone:
 * districts with fewer than three matched towns are left out (nothing to compare with), and so
 * is a town farther from its district's median point than 50 km and four times the district's
 * median distance.
 */
function consistentTowns(towns: readonly TownRow[], count: (why: string) => void): TownRow[] {
  const byDistrict = new Map<string, TownRow[]>();
  for (const town of towns) {
    const list = byDistrict.get(town.code.slice(0, 6)) ?? [];
    list.push(town);
    byDistrict.set(town.code.slice(0, 6), list);
  }
  const kept: TownRow[] = [];
  for (const list of byDistrict.values()) {
    if (list.length < 3) {
      for (let i = 0; i < list.length; i++) count('district with fewer than three matched towns');
      continue;
    }
    const centre = { lat: median(list.map((t) => t.lat)), lng: median(list.map((t) => t.lng)) };
    const distances = list.map((t) => kmBetween(centre, t));
    const limit = Math.max(50, 4 * median(distances));
    list.forEach((town, i) => {
      if ((distances[i] ?? Infinity) > limit) count('far from the other towns of its district');
      else kept.push(town);
    });
  }
  return kept;
}

function writeJsonl(file: string, rows: readonly unknown[]): void {
  fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

if (require.main === module) {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'extract-universities') {
    const [universitiesCsv] = args;
    if (!universitiesCsv) throw new Error('extract-universities <universities_raw.csv>');
    const notes: string[] = [];
    writeJsonl(
      path.join(SOURCES, 'universities-cn-wikidata.jsonl'),
      extractUniversities(universitiesCsv, notes),
    );
    for (const note of notes) process.stdout.write(`${note}\n`);
  } else if (command === 'extract-towns') {
    const [dbf, shp, streets, prefectures] = args;
    if (!dbf || !shp || !streets || !prefectures)
      throw new Error('extract-towns <places.dbf> <places.shp> <streets.csv> <china-cities.json>');
    const towns = extractTowns(dbf, shp, streets, prefectures);
    writeJsonl(path.join(SOURCES, 'towns-cn-osm.jsonl'), towns);
    process.stdout.write(`towns: ${towns.length} kept\n`);
  } else if (command === 'extract-cities') {
    const [dataDe, dataEu] = args;
    if (!dataDe || !dataEu) throw new Error('extract-cities <data.de.js> <data.eu.js>');
    extractCities(dataDe, dataEu);
  } else {
    const notes: string[] = [];
    const rows = build(notes);
    for (const note of notes) process.stdout.write(`${note}\n`);
    writeJsonl(ADDRESSES_FILE, rows);
    const counts = CATEGORIES.map((c) => `${c} ${rows.filter((r) => r.category === c).length}`).join(', ');
    process.stdout.write(
      `${rows.length} rows -> ${path.relative(process.cwd(), ADDRESSES_FILE)} (${counts})\n`,
    );
  }
}
