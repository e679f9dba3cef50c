import type { GeocodeAddress, GeocodeResult } from '../geocoding-provider';
import { OfflineGeocoder } from '../offline/offline-geocoder';
import { AmapAdapter } from './amap.adapter';
import { BaiduAdapter } from './baidu.adapter';
import { FallbackGeocoder, worthAsking } from './fallback-geocoder';
import type { CachedAnswer, GeocodeCacheStore } from './geocode-cache.repository';
import { NominatimAdapter } from './nominatim.adapter';
import type { OnlineAdapter, ProviderTerms } from './online-adapter';
import { ProviderError } from './online-adapter';
import type { OnlineGeocoder } from './online-geocoder';

/** geocode_cache in memory. */
class MemoryCache implements GeocodeCacheStore {
  readonly rows = new Map<string, CachedAnswer>();
  get(provider: string, hash: string) {
    return Promise.resolve(this.rows.get(`${provider}/${hash}`));
  }
  put(provider: string, hash: string, result: GeocodeResult | null, terms: ProviderTerms) {
    this.rows.set(`${provider}/${hash}`, { result, attribution: terms.attribution, licence: terms.licence });
    return Promise.resolve();
  }
  purgeExpired() {
    return Promise.resolve(0);
  }
}

/** An OnlineGeocoder stand-in answering from a function and counting calls. */
function fakeOnline(adapter: OnlineAdapter, answer: (a: GeocodeAddress) => GeocodeResult | null) {
  const calls: GeocodeAddress[] = [];
  const online = {
    name: adapter.name,
    adapter,
    geocode: (address: GeocodeAddress) => {
      calls.push(address);
      return new Promise<GeocodeResult | null>((resolve) => resolve(answer(address)));
    },
  } as unknown as OnlineGeocoder;
  return { online, calls };
}

describe('FallbackGeocoder', () => {
  let offline: OfflineGeocoder;
  beforeAll(async () => {
    offline = await OfflineGeocoder.load();
  });

  const nominatim = new NominatimAdapter({ baseUrl: 'https://nominatim.example.org' });
  const rooftop = (over: Partial<GeocodeResult> = {}): GeocodeResult => ({
    lat: 52.5162746,
    lng: 13.3777041,
    precision: 'rooftop',
    source: 'nominatim; Data © OpenStreetMap contributors',
    confidence: 0.95,
    normalized: { countryCode: 'DE', region: { code: 'BE', name: 'DE-BE' }, city: 'Berlin' },
    ...over,
  });
  const berlin: GeocodeAddress = { countryCode: 'DE', city: 'Berlin', streetLines: ['Unter den Linden 77'] };

  it('asks online only for addresses with a street line or a one-line form', () => {
    expect(worthAsking({ countryCode: 'DE', city: 'Berlin' })).toBe(false);
    expect(worthAsking({ countryCode: 'DE', city: 'Berlin', streetLines: [' '] })).toBe(false);
    expect(worthAsking(berlin)).toBe(true);
    expect(worthAsking({ singleLine: '北京市朝阳区阜通东大街6号' })).toBe(true);
  });

  it('answers with the online result, region codes read again offline (GeoNames admin1), and caches it', async () => {
    const cache = new MemoryCache();
    const { online, calls } = fakeOnline(nominatim, () => rooftop());
    const geocoder = new FallbackGeocoder(online, offline, cache, { cacheTtlMs: 60_000 });
    expect(geocoder.name).toBe('nominatim+offline');
    const first = await geocoder.geocode(berlin);
    expect(first).toMatchObject({
      precision: 'rooftop',
      lat: 52.5162746,
      normalized: { countryCode: 'DE', region: { code: '16' } },
    });
    expect(await geocoder.geocode({ ...berlin, city: ' BERLIN ' })).toEqual(first);
    expect(calls).toHaveLength(1);
    expect([...cache.rows.values()][0]?.licence).toContain('ODbL');
  });

  it('falls back to offline when the provider fails, finds nothing, or answers another country', async () => {
    for (const answer of [
      () => {
        throw new ProviderError('nominatim', 'http_500', 'answered HTTP 500');
      },
      () => null,
      () => rooftop({ normalized: { countryCode: 'US' } }),
    ]) {
      const { online, calls } = fakeOnline(nominatim, answer);
      const result = await new FallbackGeocoder(online, offline, new MemoryCache(), {
        cacheTtlMs: 0,
      }).geocode(berlin);
      expect(calls).toHaveLength(1);
      expect(result).toMatchObject({ precision: 'city', source: 'geonames', normalized: { city: 'Berlin' } });
    }
  });

  it('keeps the offline result when the online one is coarser', async () => {
    const { online } = fakeOnline(nominatim, () => rooftop({ precision: 'region' }));
    const result = await new FallbackGeocoder(online, offline, new MemoryCache(), { cacheTtlMs: 0 }).geocode(
      berlin,
    );
    expect(result?.source).toBe('geonames');
  });

  it('does not cache when the TTL is 0 (Amap, Baidu): every call asks', async () => {
    const cache = new MemoryCache();
    const amap = new AmapAdapter({ baseUrl: 'https://restapi.amap.com', key: 'k' });
    const { online, calls } = fakeOnline(amap, () =>
      rooftop({
        normalized: {
          countryCode: 'CN',
          region: { code: '110000', name: '北京市' },
          city: '北京市',
          district: { code: '110105', name: '朝阳区' },
        },
      }),
    );
    const geocoder = new FallbackGeocoder(online, offline, cache, { cacheTtlMs: 0 });
    const address = { singleLine: '北京市朝阳区阜通东大街6号' };
    const result = await geocoder.geocode(address);
    await geocoder.geocode(address);
    expect(calls).toHaveLength(2);
    expect(cache.rows.size).toBe(0);
    // Region code and city as offline pins have them; the adcode kept.
    expect(result?.normalized).toEqual({
      countryCode: 'CN',
      region: { code: '22', name: '北京市' },
      city: 'Beijing',
      district: { code: '110105', name: '朝阳区' },
    });
  });

  it('does not ask a provider about an address it does not cover (Amap: outside China)', async () => {
    const amap = new AmapAdapter({ baseUrl: 'https://restapi.amap.com', key: 'k' });
    const { online, calls } = fakeOnline(amap, () => rooftop());
    const result = await new FallbackGeocoder(online, offline, new MemoryCache(), { cacheTtlMs: 0 }).geocode(
      berlin,
    );
    expect(calls).toHaveLength(0);
    expect(result?.source).toBe('geonames');
  });

  it("fills Baidu's missing admin names from the offline reading of the address", async () => {
    const baidu = new BaiduAdapter({ baseUrl: 'https://api.map.baidu.com', key: 'k' });
    const { online } = fakeOnline(baidu, () => rooftop({ normalized: { countryCode: 'CN' } }));
    const result = await new FallbackGeocoder(online, offline, new MemoryCache(), { cacheTtlMs: 0 }).geocode({
      singleLine: '北京市海淀区上地十街10号',
    });
    expect(result?.normalized).toMatchObject({
      countryCode: 'CN',
      district: { code: '110108', name: '海淀区' },
    });
  });
});
