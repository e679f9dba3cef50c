import type { GeocodeAddress, GeocodePrecision, GeocodeResult } from '../geocoding-provider';
import { bdToWgs } from '../coordinates';
import {
  isRecord,
  num,
  oneLine,
  ProviderError,
  text,
  validPoint,
  type AdapterOptions,
  type OnlineAdapter,
  type ProviderTerms,
} from './online-adapter';

export const BAIDU_PUBLIC_URL = 'https://api.map.baidu.com';

export const BAIDU_TERMS: ProviderTerms = {
  attribution: '© 百度地图 Baidu Maps (GS(2023)3206号)',
  licence:
    '百度地图开放平台服务条款 (https://lbsyun.baidu.com/index.php?title=open/law): results may not be cached or stored without a commercial licence',
  cacheTtlMs: 0,
};

/** Baidu's points of interest (`level`), found to the building when `precise` is 1. */
const POI_LEVELS: ReadonlySet<string> = new Set([
  '门址',
  '商务大厦',
  '政府机构',
  '地产小区',
  '教育',
  '医疗',
  '宾馆',
  '餐饮',
  '购物',
  '金融',
  '生活服务',
  '休闲娱乐',
  '旅游景点',
  '汽车服务',
  '火车站',
  '长途汽车站',
  '桥',
  '停车场/停车区',
  '港口/码头',
  '收费区/收费站',
  '飞机场',
  '机场',
  '加油站',
  '绿地',
  '工业园区',
]);

const LEVELS: Readonly<Record<string, GeocodePrecision>> = {
  国家: 'country',
  省: 'region',
  城市: 'city',
  区县: 'district',
  乡镇: 'district',
  村庄: 'district',
  商圈: 'district',
  道路: 'street',
  交叉路口: 'street',
  UNKNOWN: 'none',
};

/**
 * Baidu geocoding v3: `GET /geocoding/v3/?address&ak&output=json`. The answer has a point (BD-09,
 * converted to WGS-84), a `level`, `precise` (1: the point is the place itself, 0: interpolated or
 * the area's centre), `comprehension` (0-100, how much of the address Baidu understood: our
 * confidence) and no administrative names: the fallback reads those off the address offline.
 * China only, like Amap.
 */
export class BaiduAdapter implements OnlineAdapter {
  readonly name = 'baidu' as const;
  readonly terms = BAIDU_TERMS;

  constructor(private readonly options: AdapterOptions) {}

  request(address: GeocodeAddress): URL | undefined {
    const country = address.countryCode?.trim().toUpperCase();
    if (country && country !== 'CN') return undefined;
    const q = oneLine(address, 'large-first');
    if (!q) return undefined;
    const base = this.options.baseUrl.endsWith('/') ? this.options.baseUrl : `${this.options.baseUrl}/`;
    const url = new URL('geocoding/v3/', base);
    url.searchParams.set('address', q);
    if (address.city?.trim()) url.searchParams.set('city', address.city.trim());
    url.searchParams.set('output', 'json');
    url.searchParams.set('ak', this.options.key ?? '');
    return url;
  }

  parse(body: unknown, address: GeocodeAddress): GeocodeResult | null {
    if (!isRecord(body))
      throw new ProviderError(this.name, 'bad_body', 'answered something that is not an object');
    const status = num(body['status']);
    const message = text(body['message']) ?? text(body['msg']) ?? '';
    // Status 1 "无相关结果" is "no result", not a failure (Baidu's status code table).
    if (status === 1 && message.includes('无相关结果')) return null;
    if (status !== 0) {
      throw new ProviderError(
        this.name,
        `status_${status ?? 'unknown'}`,
        `answered ${message || 'an error'} (${status})`,
      );
    }
    const result = body['result'];
    if (!isRecord(result) || !isRecord(result['location'])) return null;
    const bdLng = num(result['location']['lng']);
    const bdLat = num(result['location']['lat']);
    if (!validPoint(bdLat, bdLng) || bdLng === undefined) return null;
    const [lng, lat] = bdToWgs(bdLng, bdLat);
    const level = text(result['level']) ?? 'UNKNOWN';
    const precise = num(result['precise']) === 1;
    const precision: GeocodePrecision = POI_LEVELS.has(level)
      ? precise
        ? 'rooftop'
        : 'street'
      : (LEVELS[level] ?? 'none');
    const comprehension = num(result['comprehension']);
    return {
      lat,
      lng,
      precision,
      source: `baidu; ${BAIDU_TERMS.attribution}`,
      confidence: comprehension === undefined ? 0.5 : Math.min(1, Math.max(0, comprehension / 100)),
      normalized: { countryCode: (address.countryCode?.trim() || 'CN').toUpperCase() },
    };
  }
}
