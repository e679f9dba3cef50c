import type {
  GeocodeAddress,
  GeocodePrecision,
  GeocodeResult,
  NormalizedAddress,
} from '../geocoding-provider';
import { gcjToWgs } from '../coordinates';
import {
  CONFIDENCE_BY_PRECISION,
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

export const AMAP_PUBLIC_URL = 'https://restapi.amap.com';

export const AMAP_TERMS: ProviderTerms = {
  attribution: '© 高德地图 AutoNavi (GS(2024)0650号)',
  licence:
    '高德开放平台服务协议 (https://lbs.amap.com/pages/terms/): data may not be stored or cached beyond the use it was requested for without a commercial licence',
  // The terms forbid keeping Amap data: not cached unless GEOCODER_CACHE_TTL says the operator's
  // licence allows it.
  cacheTtlMs: 0,
};

/** Amap `level` (Web 服务 API, 地理编码, "匹配级别") -> our precision. */
const LEVELS: Readonly<Record<string, GeocodePrecision>> = {
  国家: 'country',
  省: 'region',
  市: 'city',
  区县: 'district',
  开发区: 'district',
  乡镇: 'district',
  村庄: 'district',
  热点商圈: 'district',
  道路: 'street',
  道路交叉路口: 'street',
  公交站台: 'street',
  地铁站: 'street',
  '公交站台、地铁站': 'street',
  兴趣点: 'rooftop',
  门牌号: 'rooftop',
  单元号: 'rooftop',
  楼栋: 'rooftop',
  未知: 'none',
};

/**
 * Amap (高德) Web service geocoding v3: `GET /v3/geocode/geo?key&address&city`, one structured
 * Chinese address (province first). Points are GCJ-02, converted to WGS-84; `adcode` is the GB/T
 * 2260 code of the district the address lies in. Amap covers China only: an address of another
 * country is not sent.
 */
export class AmapAdapter implements OnlineAdapter {
  readonly name = 'amap' as const;
  readonly terms = AMAP_TERMS;

  constructor(private readonly options: AdapterOptions) {}

  request(address: GeocodeAddress): URL | undefined {
    const country = address.countryCode?.trim().toUpperCase();
    if (country && country !== 'CN') return undefined;
    const q = oneLine(address, 'large-first');
    if (!q) return undefined;
    const base = this.options.baseUrl.endsWith('/') ? this.options.baseUrl : `${this.options.baseUrl}/`;
    const url = new URL('v3/geocode/geo', base);
    url.searchParams.set('key', this.options.key ?? '');
    url.searchParams.set('address', q);
    if (address.city?.trim()) url.searchParams.set('city', address.city.trim());
    url.searchParams.set('output', 'JSON');
    return url;
  }

  parse(body: unknown): GeocodeResult | null {
    if (!isRecord(body))
      throw new ProviderError(this.name, 'bad_body', 'answered something that is not an object');
    if (text(body['status']) !== '1') {
      const code = text(body['infocode']) ?? 'unknown';
      throw new ProviderError(
        this.name,
        `status_${code}`,
        `answered ${text(body['info']) ?? 'an error'} (${code})`,
      );
    }
    const geocodes = body['geocodes'];
    const first: unknown = Array.isArray(geocodes) ? geocodes[0] : undefined;
    if (!isRecord(first)) return null;
    const [gcjLng, gcjLat] = (text(first['location']) ?? '').split(',').map((part) => num(part));
    if (!validPoint(gcjLat, gcjLng) || gcjLng === undefined) return null;
    const [lng, lat] = gcjToWgs(gcjLng, gcjLat);
    const precision = LEVELS[text(first['level']) ?? ''] ?? 'none';
    return {
      lat,
      lng,
      precision,
      source: `amap; ${AMAP_TERMS.attribution}`,
      confidence: CONFIDENCE_BY_PRECISION[precision],
      normalized: normalizedOf(first, precision),
    };
  }
}

const FINER_THAN_CITY: ReadonlySet<GeocodePrecision> = new Set(['rooftop', 'street', 'postcode', 'district']);

function normalizedOf(geocode: Record<string, unknown>, precision: GeocodePrecision): NormalizedAddress {
  const province = text(geocode['province']);
  const adcode = text(geocode['adcode']);
  // Municipalities (北京市) answer their name as the city, or [] there.
  const city = text(geocode['city']) ?? province;
  const district = text(geocode['district']);
  const isDistrictCode = !!adcode && /^\d{6}$/.test(adcode) && !adcode.endsWith('00');
  return {
    countryCode: 'CN',
    ...(province && adcode ? { region: { code: `${adcode.slice(0, 2)}0000`, name: province } } : {}),
    ...(city ? { city } : {}),
    ...(district && isDistrictCode && FINER_THAN_CITY.has(precision)
      ? { district: { code: adcode, name: district } }
      : {}),
  };
}
