import { ChinaDivisions, shortName, type Division, type Town } from './divisions';
import { provinceOfPostcode } from './postcodes';

/** The parts of an address the Chinese resolver reads; any may be missing. */
export interface ChineseAddressInput {
  region?: string;
  city?: string;
  district?: string;
  postalCode?: string;
  /** Street lines or the whole one-line address. */
  text?: string;
}

export interface ChinaMatch {
  province?: Division;
  city?: Division;
  district?: Division;
  /** The township named right after the district, where the data has its seat. */
  town?: Town;
  /** 0..1: how sure the reading is (full names in order > abbreviations > a lone short name). */
  confidence: number;
  /** Several divisions fitted equally well and nothing else told them apart. */
  candidates?: readonly Division[];
  /** Whether the postcode agreed with the province found (undefined: no usable postcode). */
  postcodeAgrees?: boolean;
}

const COUNTRY_PREFIX = /^(中华人民共和国|中國|中国|中华|china|prc)/i;
// A short (suffix-less) name followed by one of these is a street, square or building named after
// the place ("中山路", "南京东路" in Shanghai, "北京大厦", "重庆北路"), not the place.
const NAMED_AFTER =
  /^(?:[东西南北中]?[一二三四五六七八九十\d]*[路街巷弄](?!道)|大[厦街道楼桥]|广场|花园|饭店|酒店|公园)/u;
// ...unless the street word starts a town's name: "晋宁二街镇", "崇州街子镇", "安宁八街街道" are
// towns of 晋宁, 崇州 and 安宁. A road's subdistrict ("中山路街道", "南京东路街道") stays a street.
const TOWN_AFTER =
  /^(?!\p{Script=Han}{0,2}路)(?![街巷弄道](?:镇|乡|街道))\p{Script=Han}{1,3}?(?:镇|乡|街道)/u;
const SEPARATORS = /[\s,，、。.;；:：·\-—_/\\()（）[\]【】"'“”‘’#]+/gu;

/** Full width to half width, traditional to simplified, no separators: the text the scanner reads. */
export function normalizeChinese(text: string, divisions: ChinaDivisions = ChinaDivisions.get()): string {
  let out = '';
  for (const ch of text.normalize('NFKC')) out += divisions.traditional[ch] ?? ch;
  return out.replace(SEPARATORS, '');
}

interface Reading {
  province?: Division;
  city?: Division;
  district?: Division;
  /** Evidence so far: full names count more than short ones. */
  score: number;
  shortOnly: boolean;
}

const LEVEL_RANK = { province: 0, city: 1, district: 2 } as const;

/**
 * Reads province, city and district off the start of a Chinese address, in that order, each
 * optional and each as full, short (深圳, 南山, 浦东) or old (萝岗区) name; the first text that is
 * not a division ends the reading, so a street named after a place does not count. Ambiguous
 * names keep every reading that fits what came before, then the postcode and the structured
 * fields choose; what stays ambiguous is reported as candidates.
 */
export function resolveChineseAddress(
  input: ChineseAddressInput,
  divisions: ChinaDivisions = ChinaDivisions.get(),
): ChinaMatch | undefined {
  const structured = [input.region, input.city, input.district];
  const inOrder = resolveText(prepare([...structured, input.text], divisions), input.postalCode, divisions);
  if (inOrder?.district && !inOrder.candidates && inOrder.confidence >= 0.9) return inOrder;
  // Written smallest first, as on an envelope abroad ("湖北大学，武昌区，武汉市，湖北省"): read
  // the comma-separated parts largest first too, and keep the finer reading.
  const parts = (input.text ?? '').split(/[,，、;；\n]/).filter((t) => t.trim() !== '');
  if (parts.length < 2) return inOrder;
  const reversed = resolveText(
    prepare([...structured, parts.reverse().join(' ')], divisions),
    input.postalCode,
    divisions,
  );
  const depth = (m: ChinaMatch | undefined): number =>
    !m || m.candidates ? -1 : m.district ? 2 : m.city ? 1 : m.province ? 0 : -1;
  if (depth(reversed) !== depth(inOrder)) return depth(reversed) > depth(inOrder) ? reversed : inOrder;
  return (reversed?.confidence ?? 0) > (inOrder?.confidence ?? 0) ? reversed : inOrder;
}

function prepare(parts: readonly (string | undefined)[], divisions: ChinaDivisions): string {
  return (
    normalizeChinese(parts.filter((t) => t && t.trim() !== '').join(' '), divisions)
      .replace(COUNTRY_PREFIX, '')
      // A postcode written before the address ("518057广东省...").
      .replace(/^\d{6}(?!\d)/, '')
  );
}

function resolveText(
  text: string,
  postalCode: string | undefined,
  divisions: ChinaDivisions,
): ChinaMatch | undefined {
  if (!/\p{Script=Han}/u.test(text)) return undefined;
  const input = { postalCode };

  const { readings, end } = scan(text, divisions);
  const postcodeProvince = provinceOfPostcode(input.postalCode ?? /(?<!\d)\d{6}(?!\d)/.exec(text)?.[0]);
  let best = readings.filter((r) => r.district ?? r.city ?? r.province);
  if (best.length === 0) return undefined;
  if (postcodeProvince) {
    const agreeing = best.filter((r) => provinceOf(r) === postcodeProvince);
    if (agreeing.length > 0) best = agreeing;
  }
  // Deepest and best-supported readings first.
  const depth = (r: Reading): number => (r.district ? 2 : r.city ? 1 : 0);
  // The reading that explains the most text; of equal ones the shallower, because a name that is
  // both a city and a district elsewhere ("西安": 西安市 and two 西安区) is the city.
  const maxScore = Math.max(...best.map((r) => r.score));
  best = best.filter((r) => r.score === maxScore);
  const minDepth = Math.min(...best.map(depth));
  best = best.filter((r) => depth(r) === minDepth);
  let unique = dedupe(best);
  // The code list keeps a district under its old and new code after a merge or a change of kind
  // (三明市三元区 350403 and 350404; 会理县 513425 and 会理市 513402): the same name in the same
  // city with the same seat is one place, compared without the suffix so that the short name
  // ("凉山会理") settles it as the full one does (伊宁市 and 伊宁县 have two seats: two places).
  // The current one is the more urban kind (a 县 becomes a 市 or a 区, a 市 a 区, never back),
  // then the newer (higher) code.
  const finestOf = (r: Reading): Division | undefined => r.district ?? r.city ?? r.province;
  const stemOf = (r: Reading): string | undefined => {
    const d = finestOf(r);
    return d ? (shortName(d.name) ?? d.name) : undefined;
  };
  const first = unique[0] ? finestOf(unique[0]) : undefined;
  const firstStem = unique[0] ? stemOf(unique[0]) : undefined;
  const sameSeat = (d: Division | undefined): boolean =>
    d?.lat !== undefined && d.lat === first?.lat && d.lng === first.lng;
  if (
    first &&
    unique.every((r) => stemOf(r) === firstStem && finestOf(r)?.city === first.city && sameSeat(finestOf(r)))
  ) {
    const currency = (r: Reading): string => {
      const d = finestOf(r);
      return `${d?.name.endsWith('区') ? 2 : d?.name.endsWith('市') ? 1 : 0}${d?.code ?? ''}`;
    };
    unique = [...unique].sort((a, b) => currency(b).localeCompare(currency(a))).slice(0, 1);
  }

  if (unique.length > 1) {
    // The level where they differ is unknown; what they share is still known.
    const finest = unique.map((r) => r.district ?? r.city ?? r.province).filter((d): d is Division => !!d);
    const shared = sharedParent(unique, divisions);
    return {
      ...shared,
      confidence: 0.3,
      candidates: finest,
      ...(postcodeProvince ? { postcodeAgrees: shared.province?.province === postcodeProvince } : {}),
    };
  }
  const reading = unique[0];
  if (!reading) return undefined;
  const province =
    reading.province ??
    ((reading.city ?? reading.district)
      ? divisions.provinceOf((reading.city ?? reading.district)!)
      : undefined);
  const city = reading.city ?? (reading.district ? divisions.cityOf(reading.district) : undefined);
  let confidence = reading.district ? 0.95 : reading.city ? 0.9 : 0.8;
  if (reading.shortOnly) confidence -= 0.1;
  if (!reading.province && !reading.city && reading.district) confidence -= 0.1;
  const match: ChinaMatch = { confidence };
  if (province) match.province = province;
  if (city) match.city = city;
  if (reading.district) {
    match.district = reading.district;
    const town = divisions.townAt(reading.district, text.slice(end));
    if (town) match.town = town;
  }
  if (postcodeProvince && province) {
    match.postcodeAgrees = province.province === postcodeProvince;
    match.confidence = Math.max(
      0.1,
      match.postcodeAgrees ? Math.min(1, confidence + 0.03) : confidence - 0.3,
    );
  }
  match.confidence = Math.round(match.confidence * 100) / 100;
  return match;
}

function provinceOf(r: Reading): string | undefined {
  return (r.province ?? r.city ?? r.district)?.province;
}

/** The readings of the divisions at the start of the text, and where they end. */
function scan(text: string, divisions: ChinaDivisions): { readings: Reading[]; end: number } {
  let readings: Reading[] = [{ score: 0, shortOnly: true }];
  let pos = 0;
  // Province, city, district, each possibly repeated once.
  for (let step = 0; step < 6 && pos < text.length; step++) {
    let advanced: { readings: Reading[]; end: number } | undefined;
    for (let len = Math.min(divisions.longestName, text.length - pos); len >= 2; len--) {
      const next = readAt(readings, text, pos, len, divisions);
      if (next.length === 0) continue;
      advanced = { readings: next, end: pos + len };
      // "青岛市南区", "枣庄市中区": a city written without its 市, then a district whose name starts
      // with 市. Read so when a real district of that city starts at the 市.
      if (text[pos + len - 1] === '市' && len > 2) {
        const shorter = readAt(readings, text, pos, len - 1, divisions).filter((r) =>
          fullNameFits(r, text, pos + len - 1, divisions),
        );
        if (shorter.length > 0) advanced = { readings: shorter, end: pos + len - 1 };
      }
      break;
    }
    if (!advanced) break;
    readings = advanced.readings;
    pos = advanced.end;
  }
  return { readings, end: pos };
}

/** The readings extended by the division(s) named by text[pos, pos + len), if any fits. */
function readAt(
  readings: readonly Reading[],
  text: string,
  pos: number,
  len: number,
  divisions: ChinaDivisions,
): Reading[] {
  const entries = divisions.byName.get(text.slice(pos, pos + len));
  if (!entries) return [];
  const after = text.slice(pos + len);
  const next: Reading[] = [];
  for (const r of readings) {
    for (const { division, exact } of entries) {
      const extended = extend(r, division, exact, divisions);
      // A short name then 路, 街...: a street named after the place, unless a town's name or
      // the full name of a division of the place follows ("唐山路南区": 唐山's 路南区).
      if (
        !exact &&
        NAMED_AFTER.test(after) &&
        !TOWN_AFTER.test(after) &&
        !(extended && fullNameFits(extended, text, pos + len, divisions))
      )
        continue;
      // A part said twice (structured region + a one-line form repeating it, "上海市上海市").
      if (repeats(r, division)) next.push(r);
      else if (extended) next.push(extended);
    }
  }
  return next;
}

/** Whether the full (or old) name of a division that fits below the reading starts at `from`. */
function fullNameFits(r: Reading, text: string, from: number, divisions: ChinaDivisions): boolean {
  for (let len = Math.min(divisions.longestName, text.length - from); len >= 2; len--) {
    const entries = divisions.byName.get(text.slice(from, from + len));
    if (entries?.some((e) => e.exact && extend(r, e.division, true, divisions))) return true;
  }
  return false;
}

function repeats(r: Reading, d: Division): boolean {
  return [r.province, r.city, r.district].some(
    (own) => own && (own.code === d.code || (own.level === d.level && own.name === d.name)),
  );
}

/** The reading with one more division, if it fits below what the reading has. */
function extend(r: Reading, d: Division, exact: boolean, divisions: ChinaDivisions): Reading | undefined {
  const deepest = r.district ?? r.city ?? r.province;
  if (deepest && LEVEL_RANK[d.level] <= LEVEL_RANK[deepest.level]) return undefined;
  if (r.province && d.province !== r.province.province) return undefined;
  if (r.city && d.city !== r.city.code) return undefined;
  const out: Reading = { ...r, score: r.score + (exact ? 2 : 1), shortOnly: r.shortOnly && !exact };
  if (d.level === 'province') {
    out.province = d;
    // "北京市朝阳区": a municipality is its own city.
    if (divisions.isMunicipality(d)) {
      const city = divisions.byCode.get(`${d.province}0100`);
      if (city) out.city = city;
    }
  } else if (d.level === 'city') {
    out.city = d;
  } else {
    out.district = d;
  }
  return out;
}

function dedupe(readings: readonly Reading[]): Reading[] {
  const seen = new Map<string, Reading>();
  for (const r of readings) {
    const finest = r.district ?? r.city ?? r.province;
    if (!finest) continue;
    const key = finest.code + finest.level;
    if (!seen.has(key)) seen.set(key, r);
  }
  return [...seen.values()];
}

function sharedParent(
  readings: readonly Reading[],
  divisions: ChinaDivisions,
): { province?: Division; city?: Division } {
  const finest = readings.map((r) => r.district ?? r.city ?? r.province).filter((d): d is Division => !!d);
  const provinces = new Set(finest.map((d) => d.province));
  if (provinces.size !== 1) return {};
  const province = divisions.byCode.get(`${[...provinces][0]}0000`);
  const cities = new Set(finest.map((d) => d.city));
  const cityCode = cities.size === 1 ? [...cities][0] : undefined;
  const city = cityCode ? divisions.byCode.get(cityCode) : undefined;
  return { ...(province ? { province } : {}), ...(city && city.level === 'city' ? { city } : {}) };
}
