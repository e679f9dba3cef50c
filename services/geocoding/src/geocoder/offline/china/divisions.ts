import data from '../data/china-divisions.json';
import townData from '../data/china-towns.json';

/** A GB/T 2260 unit: province (2-digit code kept as its 6-digit form), prefecture city or district. */
export interface Division {
  readonly level: 'province' | 'city' | 'district';
  /** Six-digit GB/T 2260 code ("440305"). */
  readonly code: string;
  /** Official name ("南山区"). */
  readonly name: string;
  /** WGS-84 seat of a district, centre of a city; undefined where the data has none. */
  readonly lat?: number;
  readonly lng?: number;
  /** Province code (two digits). */
  readonly province: string;
  /** The enclosing city's code for a district; its own code for a city. */
  readonly city?: string;
}

/** A township (乡镇/街道) seat: GeoNames' point for a name of the NBS township list. */
export interface Town {
  /** Official name ("柏溪镇"). */
  readonly name: string;
  readonly lat: number;
  readonly lng: number;
}

interface TownsFile {
  districts: Record<string, [string, number, number][]>;
}

type DistrictRow = [string, string, number | null, number | null, string[]?];

interface DivisionsFile {
  provinces: {
    code: string;
    name: string;
    cities: { code: string; name: string; point: [number, number] | null; districts: DistrictRow[] }[];
  }[];
  traditional: Record<string, string>;
}

// Longest first, so "自治县" is cut before "县" and "特别行政区" before "区".
const SUFFIXES = [
  '维吾尔自治区',
  '壮族自治区',
  '回族自治区',
  '特别行政区',
  '自治区',
  '自治州',
  '自治县',
  '自治旗',
  '地区',
  '新区',
  '林区',
  '省',
  '市',
  '区',
  '县',
  '盟',
  '旗',
];

/**
 * The 55 minority peoples (and 各, "all") as they appear in autonomous names, longest first so "土家" is cut
 * before "土" could be. Written with 族 (苗族) or, in Xinjiang and Inner Mongolia, often without
 * (伊犁哈萨克自治州, 巴音郭楞蒙古自治州).
 */
const PEOPLES = [
  ...['乌孜别克', '柯尔克孜', '维吾尔', '哈萨克', '达斡尔', '塔吉克', '俄罗斯', '鄂温克', '塔塔尔'],
  ...['鄂伦春', '蒙古', '布依', '朝鲜', '土家', '哈尼', '傈僳', '高山', '拉祜', '东乡', '纳西'],
  ...['景颇', '仫佬', '布朗', '撒拉', '毛南', '仡佬', '锡伯', '阿昌', '普米', '德昂', '保安'],
  ...['裕固', '独龙', '赫哲', '门巴', '珞巴', '基诺', '回', '藏', '苗', '彝', '壮', '满', '侗'],
  ...['瑶', '白', '黎', '佤', '畲', '水', '土', '羌', '怒', '京', '傣'],
  // "龙胜各族自治县": all its peoples.
  '各',
];

/**
 * "黔东南苗族侗族" -> "黔东南", "伊犁哈萨克" -> "伊犁", "双江拉祜族佤族布朗族傣族" -> "双江": the
 * peoples at the end of an autonomous unit's name go, one by one, as long as two characters of
 * place name stay ("内蒙古" keeps its 蒙古). A people without 族 is only cut when it has two
 * characters or more, so a one-character place word is never taken for one.
 */
function withoutPeoples(stem: string): string {
  let out = stem;
  for (let cut = true; cut;) {
    cut = false;
    for (const people of PEOPLES) {
      for (const written of people.length >= 2 ? [`${people}族`, people] : [`${people}族`]) {
        if (out.endsWith(written) && out.length - written.length >= 2) {
          out = out.slice(0, -written.length);
          cut = true;
          break;
        }
      }
      if (cut) break;
    }
  }
  return out;
}

/**
 * The name people write without its administrative suffix: "深圳市" -> "深圳", "浦东新区" ->
 * "浦东", "延边朝鲜族自治州" -> "延边", "西双版纳傣族自治州" -> "西双版纳" (the peoples before 自治
 * go too); undefined when that would leave fewer than two characters ("赵县" stays whole).
 */
export function shortName(name: string): string | undefined {
  for (const suffix of SUFFIXES) {
    if (!name.endsWith(suffix)) continue;
    let stem = name.slice(0, -suffix.length);
    if (suffix.startsWith('自治') || suffix.endsWith('自治区')) {
      stem = withoutPeoples(stem);
      // "鄂温克族自治旗" is the people alone: "鄂温克".
      if (stem.endsWith('族') && PEOPLES.includes(stem.slice(0, -1))) stem = stem.slice(0, -1);
    }
    // "碑林区" is not a 林区 (forestry district) named "碑": try the shorter suffix.
    if (stem.length >= 2) return stem;
  }
  return undefined;
}

const MUNICIPALITIES = new Set(['11', '12', '31', '50']);

/** The divisions indexed by every name they are written with (full, short, old). */
export class ChinaDivisions {
  private constructor(
    readonly byCode: ReadonlyMap<string, Division>,
    /** name -> divisions; `exact` marks full or old names, as opposed to a suffix-less short one. */
    readonly byName: ReadonlyMap<string, readonly { division: Division; exact: boolean }[]>,
    readonly traditional: Readonly<Record<string, string>>,
    readonly longestName: number,
    /** District code -> its townships as written (official name, and without the peoples), longest first. */
    private readonly towns: ReadonlyMap<string, readonly { written: string; town: Town }[]>,
  ) {}

  private static instance: ChinaDivisions | undefined;

  /** Built once from the shipped JSON (a few ms). */
  static get(): ChinaDivisions {
    ChinaDivisions.instance ??= ChinaDivisions.build(
      data as unknown as DivisionsFile,
      townData as unknown as TownsFile,
    );
    return ChinaDivisions.instance;
  }

  /**
   * The township of the district the text starts with ("蔓耗镇…" in 个旧市), if the data has its
   * seat. "流长苗族乡" is also found as "流长乡".
   */
  townAt(district: Division, text: string): Town | undefined {
    return this.towns.get(district.code)?.find((t) => text.startsWith(t.written))?.town;
  }

  static build(file: DivisionsFile, townsFile: TownsFile = { districts: {} }): ChinaDivisions {
    const byCode = new Map<string, Division>();
    const byName = new Map<string, { division: Division; exact: boolean }[]>();
    let longest = 0;
    const add = (name: string, division: Division, exact: boolean): void => {
      const list = byName.get(name) ?? [];
      if (!list.some((e) => e.division === division)) list.push({ division, exact });
      byName.set(name, list);
      longest = Math.max(longest, name.length);
    };
    const addAll = (division: Division, old: readonly string[] = []): void => {
      byCode.set(division.code, division);
      for (const name of [division.name, ...old]) {
        add(name, division, true);
        const short = shortName(name);
        if (short) add(short, division, false);
        // "海西蒙古族藏族自治州" is also written "海西蒙古族藏族" and "海西".
        const withPeople = /^(.+族)自治[州县旗]$/u.exec(name)?.[1];
        if (withPeople && withPeople !== short) add(withPeople, division, false);
        // An autonomous prefecture is commonly "黔南州", "德宏州", "凉山州".
        if (short && name.endsWith('自治州')) add(`${short}州`, division, false);
      }
    };
    for (const p of file.provinces) {
      const province: Division = { level: 'province', code: `${p.code}0000`, name: p.name, province: p.code };
      // The data writes "北京市" as province and city; one entry per level.
      addAll(province);
      const municipality = MUNICIPALITIES.has(p.code);
      for (const c of p.cities) {
        // A municipality is its own city; GB/T 2260 gives its urban part the code xx0100.
        const cityCode = municipality ? `${p.code}0100` : c.code;
        const city: Division = {
          level: 'city',
          code: cityCode,
          name: c.name,
          province: p.code,
          city: cityCode,
          ...(c.point ? { lat: c.point[0], lng: c.point[1] } : {}),
        };
        byCode.set(city.code, city);
        if (!municipality) addAll(city);
        else add(city.name, city, true);
        for (const [code, name, lat, lng, old] of c.districts) {
          const district: Division = {
            level: 'district',
            code,
            name,
            province: p.code,
            city: cityCode,
            ...(lat !== null && lng !== null ? { lat, lng } : {}),
          };
          addAll(district, old);
        }
      }
    }
    const towns = new Map<string, { written: string; town: Town }[]>();
    for (const [code, rows] of Object.entries(townsFile.districts)) {
      const list: { written: string; town: Town }[] = [];
      for (const [name, lat, lng] of rows) {
        const town: Town = { name, lat, lng };
        const plain = /^(.{2,}?)((?:\p{Script=Han}{1,4}族)+)(乡|镇)$/u.exec(name);
        for (const written of new Set([name, plain?.[1] && plain[3] ? plain[1] + plain[3] : name])) {
          list.push({ written, town });
        }
      }
      towns.set(
        code,
        list.sort((a, b) => b.written.length - a.written.length),
      );
    }
    return new ChinaDivisions(byCode, byName, file.traditional, longest, towns);
  }

  /** The city a district or city belongs to. */
  cityOf(d: Division): Division | undefined {
    return d.city ? this.byCode.get(d.city) : undefined;
  }

  provinceOf(d: Division): Division | undefined {
    return this.byCode.get(`${d.province}0000`);
  }

  isMunicipality(d: Division): boolean {
    return MUNICIPALITIES.has(d.province);
  }
}
