/**
 * Builds the labelled address set of `npm run bench:geocode` (addresses.jsonl) from the vendored
 * sources in ./sources, deterministically: same sources, same file. See SOURCES.md.
 *
 *   node -r @swc-node/register bench/data/geocode/build.ts            # sources/ -> addresses.jsonl
 *   node -r @swc-node/register bench/data/geocode/build.ts extract-universities <universities_raw.csv>
 *   node -r @swc-node/register bench/data/geocode/build.ts extract-cities <data.de.js> <data.eu.js>
 *     # upstream files -> sources/*.jsonl (the one-off steps that made the vendored extracts)
 *
 * Nothing here reads the geocoder's data (GeoNames, world-countries, district centres): truth
 * coordinates are Wikidata coordinate locations (P625, WGS-84) of Chinese universities and of
 * European cities; district names and codes come from Wikidata's "located in" (P131) resolved
 * against the NBS code list (modood).
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

/** GB/T 2260 codes by province/city/district name, from the NBS list (modood). */
class DivisionCodes {
  private readonly provinces = new Map<string, string>();
  private readonly cities = new Map<string, string>();
  private readonly districts = new Map<string, string>();

  constructor(dir: string) {
    for (const [code, name] of readCsv(path.join(dir, 'provinces.csv')))
      this.provinces.set(name ?? '', code ?? '');
    for (const [code, name, province] of readCsv(path.join(dir, 'cities.csv')))
      this.cities.set(`${province}:${name}`, code ?? '');
    for (const [code, name, city] of readCsv(path.join(dir, 'areas.csv')))
      this.districts.set(`${city}:${name}`, code ?? '');
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
}

// ---------------------------------------------------------------------------------------------
// Chinese variants.
const MUNICIPALITIES = new Set(['北京市', '天津市', '上海市', '重庆市']);

/** "深圳市" -> "深圳", "南山区" -> "南山"; keeps names that would be left with one character. */
function shortName(name: string): string {
  const stripped = name.replace(
    /(特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|地区|盟|省|市|区|县|旗)$/u,
    '',
  );
  return [...stripped].length >= 2 ? stripped : name;
}

/** What follows the district in the POI's own address, else the POI's name. */
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
    '说說调調贤賢资資赣贛车車轨軌轻輕辉輝较較过過迁遷选選邮郵邓鄧郑鄭酝醞释釋钟鐘铜銅锡錫锋鋒问問间間',
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

function chineseRows(universities: readonly UniversityRow[], codes: DivisionCodes): LabelledAddress[] {
  const usable = universities.filter((u) => u.province && u.city && u.area);
  const rows: LabelledAddress[] = [];
  const source = 'wikidata-universities-cn'; // SOURCES.md: universities-cn-wikidata.jsonl
  usable.forEach((u, i) => {
    const truth = { lat: round6(u.lat), lng: round6(u.lng) };
    const districtCode = codes.district(u.province, u.city, u.area);
    const street = streetPart(u);
    const base = { truth, ...(districtCode ? { districtCode } : {}), source };
    const municipality = MUNICIPALITIES.has(u.province);
    const full = `${u.province}${municipality ? '' : u.city}${u.area}${street}`;
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
            streetLines: [street],
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
              ? `${shortName(u.city)}${shortName(u.area)}${street}`
              : form === 'full-width'
                ? fullWidth(`${u.province}${municipality ? '' : u.city}${u.area} ${street}`).replace(
                    ' ',
                    '\u3000',
                  )
                : form === 'traditional'
                  ? traditional(full)
                  : form === 'spaced'
                    ? [u.province, municipality ? '' : u.city, u.area, street].filter((p) => p).join(' ')
                    : `${street}，${u.area}，${municipality ? u.province : `${u.city}，${u.province}`}`;
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
  const universities = readJsonl<UniversityRow>(path.join(SOURCES, 'universities-cn-wikidata.jsonl'));
  const codes = new DivisionCodes(SOURCES);
  const cities = [
    ...readJsonl<WikidataCity>(path.join(SOURCES, 'cities-de.jsonl')),
    ...readJsonl<WikidataCity>(path.join(SOURCES, 'cities-eu.jsonl')),
  ];
  const international = internationalRows(cities);
  if (international.unknownCountries.length > 0)
    notes.push(`left out (country not mapped): ${international.unknownCountries.join(', ')}`);
  return [
    ...chineseRows(universities, codes),
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
