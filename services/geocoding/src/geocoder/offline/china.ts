/**
 * What the GeoNames extracts lack for China: Chinese names. Provinces are few enough to list
 * (mapped to GeoNames admin1 codes, with their ISO 3166-2 letters); cities are found by
 * converting their Chinese name to pinyin, except the few whose usual romanisation is not
 * pinyin ("哈尔滨" is Harbin, not Haerbin), which are listed here.
 */
export interface ChineseProvince {
  /** GeoNames admin1 code under CN. */
  readonly code: string;
  /** ISO 3166-2 subdivision letters (CN-GD). */
  readonly iso: string;
  /** Name without its administrative suffix, as people write it: "广东". */
  readonly short: string;
  /** Official name: "广东省", "广西壮族自治区". */
  readonly full: string;
}

export const CHINESE_PROVINCES: readonly ChineseProvince[] = [
  { code: '22', iso: 'BJ', short: '北京', full: '北京市' },
  { code: '28', iso: 'TJ', short: '天津', full: '天津市' },
  { code: '23', iso: 'SH', short: '上海', full: '上海市' },
  { code: '33', iso: 'CQ', short: '重庆', full: '重庆市' },
  { code: '10', iso: 'HE', short: '河北', full: '河北省' },
  { code: '24', iso: 'SX', short: '山西', full: '山西省' },
  { code: '19', iso: 'LN', short: '辽宁', full: '辽宁省' },
  { code: '05', iso: 'JL', short: '吉林', full: '吉林省' },
  { code: '08', iso: 'HL', short: '黑龙江', full: '黑龙江省' },
  { code: '04', iso: 'JS', short: '江苏', full: '江苏省' },
  { code: '02', iso: 'ZJ', short: '浙江', full: '浙江省' },
  { code: '01', iso: 'AH', short: '安徽', full: '安徽省' },
  { code: '07', iso: 'FJ', short: '福建', full: '福建省' },
  { code: '03', iso: 'JX', short: '江西', full: '江西省' },
  { code: '25', iso: 'SD', short: '山东', full: '山东省' },
  { code: '09', iso: 'HA', short: '河南', full: '河南省' },
  { code: '12', iso: 'HB', short: '湖北', full: '湖北省' },
  { code: '11', iso: 'HN', short: '湖南', full: '湖南省' },
  { code: '30', iso: 'GD', short: '广东', full: '广东省' },
  { code: '31', iso: 'HI', short: '海南', full: '海南省' },
  { code: '32', iso: 'SC', short: '四川', full: '四川省' },
  { code: '18', iso: 'GZ', short: '贵州', full: '贵州省' },
  { code: '29', iso: 'YN', short: '云南', full: '云南省' },
  { code: '26', iso: 'SN', short: '陕西', full: '陕西省' },
  { code: '15', iso: 'GS', short: '甘肃', full: '甘肃省' },
  { code: '06', iso: 'QH', short: '青海', full: '青海省' },
  { code: '20', iso: 'NM', short: '内蒙古', full: '内蒙古自治区' },
  { code: '16', iso: 'GX', short: '广西', full: '广西壮族自治区' },
  { code: '14', iso: 'XZ', short: '西藏', full: '西藏自治区' },
  { code: '21', iso: 'NX', short: '宁夏', full: '宁夏回族自治区' },
  { code: '13', iso: 'XJ', short: '新疆', full: '新疆维吾尔自治区' },
];

/** Places whose Chinese name is not in the CN country code of GeoNames, or not as pinyin. */
export interface ChineseCityAlias {
  /** GeoNames name. */
  readonly name: string;
  /** Where GeoNames files it when that is not CN (Hong Kong, Macau and Taiwan have their own codes). */
  readonly country?: string;
}

export const CHINESE_CITY_ALIASES: Readonly<Record<string, ChineseCityAlias>> = {
  哈尔滨: { name: 'Harbin' },
  呼和浩特: { name: 'Hohhot' },
  乌鲁木齐: { name: 'Ürümqi' },
  拉萨: { name: 'Lhasa' },
  喀什: { name: 'Kashgar' },
  克拉玛依: { name: 'Karamay' },
  鄂尔多斯: { name: 'Ordos' },
  呼伦贝尔: { name: 'Hailar' },
  库尔勒: { name: 'Korla' },
  阿克苏: { name: 'Aksu' },
  和田: { name: 'Hotan' },
  格尔木: { name: 'Golmud' },
  日喀则: { name: 'Rikaze' },
  香港: { name: 'Hong Kong', country: 'HK' },
  澳门: { name: 'Macau', country: 'MO' },
  台北: { name: 'Taipei', country: 'TW' },
  高雄: { name: 'Kaohsiung', country: 'TW' },
  台中: { name: 'Taichung', country: 'TW' },
};

// Longest first, so "特别行政区" is not cut as "区".
const CITY_SUFFIXES = ['特别行政区', '自治州', '地区', '市', '盟'];
const PROVINCE_SUFFIXES = ['特别行政区', '壮族自治区', '回族自治区', '维吾尔自治区', '自治区', '省', '市'];

function stripSuffix(text: string, suffixes: readonly string[]): string {
  for (const suffix of suffixes) {
    if (text.length > suffix.length + 1 && text.endsWith(suffix)) return text.slice(0, -suffix.length);
  }
  return text;
}

/** "深圳市" -> "深圳"; "延边朝鲜族自治州" -> "延边朝鲜族"; "北京" stays. */
export function stripChineseCitySuffix(city: string): string {
  return stripSuffix(city.trim(), CITY_SUFFIXES);
}

const provinceByName = new Map<string, ChineseProvince>();
for (const p of CHINESE_PROVINCES) {
  provinceByName.set(p.short, p);
  provinceByName.set(p.full, p);
}

/** A province given in Chinese ("广东省", "广东", "广西壮族自治区"), if it is one. */
export function findChineseProvince(text: string): ChineseProvince | undefined {
  const trimmed = text.trim();
  return provinceByName.get(trimmed) ?? provinceByName.get(stripSuffix(trimmed, PROVINCE_SUFFIXES));
}

export function chineseProvinceByCode(code: string): ChineseProvince | undefined {
  return CHINESE_PROVINCES.find((p) => p.code === code);
}

const provinceByIso = new Map(CHINESE_PROVINCES.map((p) => [p.iso, p]));

/** "GD", "CN-GD" -> Guangdong. */
export function chineseProvinceByIso(text: string): ChineseProvince | undefined {
  return provinceByIso.get(text.trim().toUpperCase().replace(/^CN-/, ''));
}

export interface ChineseAddressParts {
  province?: ChineseProvince;
  /** City name as written, suffix included ("深圳市"). */
  city?: string;
  /**
   * The first two characters after the province when no city suffix follows them
   * ("江苏苏州工业园区" -> "苏州"): worth trying, but only within the province.
   */
  cityGuess?: string;
  /** Whether the text said it was in China (中国 / 中华人民共和国) or named a province. */
  saysChina: boolean;
}

const COUNTRY_PREFIX = /^(中华人民共和国|中国)/;
// A prefecture-level unit: a short run of Han characters up to its suffix (the bound keeps a
// "市" in a street or shop name further on from being read as the city).
const CITY_PREFIX = /^(\p{Script=Han}{1,7}?(?:自治州|地区|市|盟))/u;

/**
 * The province and city of a one-line Chinese address ("中国广东省深圳市南山区科技园..."), which
 * is how many Chinese ERP records hold addresses. Only the leading administrative parts are
 * read; everything after the city is left alone.
 */
export function parseChineseAddress(text: string): ChineseAddressParts {
  let rest = text.replace(/\s+/g, '');
  const saysCountry = COUNTRY_PREFIX.test(rest);
  rest = rest.replace(COUNTRY_PREFIX, '');
  let province: ChineseProvince | undefined;
  // Longest names first, so "黑龙江省" is not read as some shorter province.
  const candidates = CHINESE_PROVINCES.flatMap((p) => [p.full, p.short]).sort((a, b) => b.length - a.length);
  for (const name of candidates) {
    if (rest.startsWith(name)) {
      province = findChineseProvince(name);
      rest = rest.slice(name.length);
      if (province && name === province.short) rest = rest.replace(/^(省|市|自治区)/, '');
      break;
    }
  }
  const parts: ChineseAddressParts = { saysChina: saysCountry || province !== undefined };
  if (province) parts.province = province;
  if (province?.full.endsWith('市')) {
    // A municipality (北京, 上海, 天津, 重庆) is its own city: "上海浦东新区..." is in Shanghai.
    parts.city = province.full;
    return parts;
  }
  const cityMatch = CITY_PREFIX.exec(rest);
  if (cityMatch?.[1]) {
    parts.city = cityMatch[1];
  } else if (province && /^\p{Script=Han}{2}/u.test(rest)) {
    parts.cityGuess = rest.slice(0, 2);
  }
  return parts;
}
