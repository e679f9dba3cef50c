import { AmapAdapter } from './amap.adapter';
import { BaiduAdapter } from './baidu.adapter';
import { bdToWgs, gcjToWgs } from '../coordinates';
import {
  AMAP_FUTONG,
  AMAP_INVALID_KEY,
  BAIDU_BAD_AK,
  BAIDU_NO_RESULT,
  BAIDU_SHANGDI,
  NOMINATIM_ADLON,
  NOMINATIM_LONDON,
  PELIAS_30_W_26TH,
} from './fixtures/responses';
import { NominatimAdapter } from './nominatim.adapter';
import { ProviderError } from './online-adapter';
import { PeliasAdapter } from './pelias.adapter';

describe('NominatimAdapter', () => {
  const adapter = new NominatimAdapter({ baseUrl: 'https://nominatim.example.org/nominatim' });

  it('asks a structured search with the country as filter when the address has its parts', () => {
    const url = adapter.request({
      countryCode: 'de',
      city: 'Berlin',
      postalCode: '10117',
      streetLines: ['Unter den Linden 77'],
    });
    expect(url?.origin + (url?.pathname ?? '')).toBe('https://nominatim.example.org/nominatim/search');
    expect(Object.fromEntries(url?.searchParams ?? [])).toEqual({
      format: 'jsonv2',
      addressdetails: '1',
      limit: '1',
      countrycodes: 'de',
      street: 'Unter den Linden 77',
      city: 'Berlin',
      postalcode: '10117',
      country: 'de',
    });
  });

  it('asks free text for a one-line address, and nothing for an empty one', () => {
    expect(adapter.request({ singleLine: ' Unter den Linden 77, Berlin ' })?.searchParams.get('q')).toBe(
      'Unter den Linden 77, Berlin',
    );
    expect(adapter.request({})).toBeUndefined();
  });

  it('maps a POI with a house number to rooftop, the ISO 3166-2 code and the ODbL licence', () => {
    expect(adapter.parse(NOMINATIM_ADLON, {})).toEqual({
      lat: 52.5162746,
      lng: 13.3777041,
      precision: 'rooftop',
      source: 'nominatim; Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright',
      confidence: 0.95,
      normalized: { countryCode: 'DE', region: { code: 'BE', name: 'DE-BE' }, city: 'Berlin' },
    });
  });

  it('maps a city to city precision', () => {
    const result = adapter.parse(NOMINATIM_LONDON, {});
    expect(result).toMatchObject({
      precision: 'city',
      normalized: { countryCode: 'GB', city: 'London', region: { code: 'ENG' } },
    });
  });

  it('reads an empty list as nothing found, and an error object as a ProviderError', () => {
    expect(adapter.parse([], {})).toBeNull();
    expect(() => adapter.parse({ error: { code: 400, message: 'Nothing to search for.' } }, {})).toThrow(
      new ProviderError('nominatim', 'bad_body', 'Nothing to search for.'),
    );
  });

  it('derives precision from place_rank for an address type it does not know', () => {
    const street = [{ ...NOMINATIM_LONDON[0], addresstype: 'highway', place_rank: 26 }];
    expect(adapter.parse(street, {})?.precision).toBe('street');
  });
});

describe('PeliasAdapter', () => {
  const adapter = new PeliasAdapter({ baseUrl: 'https://api.geocode.earth', key: 'ge-secret' });

  it('asks /v1/search with the key, the size and the country boundary', () => {
    const url = adapter.request({ singleLine: '30 West 26th Street, New York', countryCode: 'us' });
    expect(url?.pathname).toBe('/v1/search');
    expect(Object.fromEntries(url?.searchParams ?? [])).toEqual({
      text: '30 West 26th Street, New York',
      'boundary.country': 'US',
      size: '1',
      api_key: 'ge-secret',
    });
  });

  it('asks /v1/search/structured for structured parts', () => {
    const url = adapter.request({
      countryCode: 'US',
      region: 'NY',
      city: 'New York',
      streetLines: ['30 W 26th St'],
    });
    expect(url?.pathname).toBe('/v1/search/structured');
    expect(url?.searchParams.get('address')).toBe('30 W 26th St');
    expect(url?.searchParams.get('locality')).toBe('New York');
  });

  it("maps an exact address to rooftop with Pelias's own confidence and the attribution URL", () => {
    expect(adapter.parse(PELIAS_30_W_26TH, {})).toEqual({
      lat: 40.744175,
      lng: -73.990453,
      precision: 'rooftop',
      source: expect.stringContaining('(https://geocode.earth/guidelines)'),
      confidence: 1,
      normalized: { countryCode: 'US', region: { code: 'NY', name: 'New York' }, city: 'New York' },
    });
  });

  it('takes an interpolated house number as the street, and no features as nothing', () => {
    const feature = PELIAS_30_W_26TH.features[0];
    const interpolated = {
      ...PELIAS_30_W_26TH,
      features: [
        { ...feature, properties: { ...feature?.properties, match_type: 'interpolated', confidence: 0.8 } },
      ],
    };
    expect(adapter.parse(interpolated, {})).toMatchObject({ precision: 'street', confidence: 0.8 });
    expect(adapter.parse({ ...PELIAS_30_W_26TH, features: [] }, {})).toBeNull();
    expect(() => adapter.parse({ geocoding: { errors: ['invalid param text'] } }, {})).toThrow(
      'invalid param text',
    );
  });
});

describe('AmapAdapter', () => {
  const adapter = new AmapAdapter({ baseUrl: 'https://restapi.amap.com', key: 'amap-secret' });

  it('asks /v3/geocode/geo with the key and the address province first', () => {
    const url = adapter.request({
      countryCode: 'CN',
      region: '北京市',
      city: '北京市',
      district: '朝阳区',
      streetLines: ['阜通东大街6号'],
    });
    expect(url?.pathname).toBe('/v3/geocode/geo');
    expect(Object.fromEntries(url?.searchParams ?? [])).toEqual({
      key: 'amap-secret',
      address: '北京市北京市朝阳区阜通东大街6号',
      city: '北京市',
      output: 'JSON',
    });
  });

  it('does not ask for an address outside China', () => {
    expect(adapter.request({ countryCode: 'DE', singleLine: 'Unter den Linden 77, Berlin' })).toBeUndefined();
  });

  it('maps 门牌号 to rooftop, GCJ-02 to WGS-84 and the adcode to the district', () => {
    const result = adapter.parse(AMAP_FUTONG);
    const [lng, lat] = gcjToWgs(116.483038, 39.990633);
    expect(result).toEqual({
      lat,
      lng,
      precision: 'rooftop',
      source: expect.stringMatching(/^amap; © 高德地图/),
      confidence: 0.95,
      normalized: {
        countryCode: 'CN',
        region: { code: '110000', name: '北京市' },
        city: '北京市',
        district: { code: '110105', name: '朝阳区' },
      },
    });
    // The GCJ-02 offset in Beijing is some hundreds of metres, mostly to the north-east.
    expect(lng).toBeLessThan(116.483038);
    expect(lat).toBeLessThan(39.990633);
  });

  it('keeps no district for a city-level match, and reads [] fields as absent', () => {
    const city = {
      ...AMAP_FUTONG,
      geocodes: [{ ...AMAP_FUTONG.geocodes[0], level: '市', district: [], adcode: '110100' }],
    };
    const result = adapter.parse(city);
    expect(result?.precision).toBe('city');
    expect(result?.normalized.district).toBeUndefined();
  });

  it('throws on an error status with its infocode, and reads count 0 as nothing', () => {
    expect(() => adapter.parse(AMAP_INVALID_KEY)).toThrow(
      new ProviderError('amap', 'status_10001', 'answered INVALID_USER_KEY (10001)'),
    );
    expect(
      adapter.parse({ status: '1', info: 'OK', infocode: '10000', count: '0', geocodes: [] }),
    ).toBeNull();
  });
});

describe('BaiduAdapter', () => {
  const adapter = new BaiduAdapter({ baseUrl: 'https://api.map.baidu.com', key: 'baidu-secret' });

  it('asks /geocoding/v3/ with the ak', () => {
    const url = adapter.request({ singleLine: '北京市海淀区上地十街10号' });
    expect(url?.pathname).toBe('/geocoding/v3/');
    expect(Object.fromEntries(url?.searchParams ?? [])).toEqual({
      address: '北京市海淀区上地十街10号',
      output: 'json',
      ak: 'baidu-secret',
    });
  });

  it('maps a precise 门址 to rooftop, BD-09 to WGS-84 and comprehension to confidence', () => {
    const [lng, lat] = bdToWgs(116.3076223267197, 40.05682848596073);
    expect(adapter.parse(BAIDU_SHANGDI, {})).toEqual({
      lat,
      lng,
      precision: 'rooftop',
      source: expect.stringMatching(/^baidu; © 百度地图/),
      confidence: 1,
      normalized: { countryCode: 'CN' },
    });
  });

  it('maps an imprecise POI to street and 区县 to district', () => {
    const poi = {
      status: 0,
      result: { ...BAIDU_SHANGDI.result, precise: 0, level: '商务大厦', comprehension: 70 },
    };
    expect(adapter.parse(poi, {})).toMatchObject({ precision: 'street', confidence: 0.7 });
    const district = { status: 0, result: { ...BAIDU_SHANGDI.result, precise: 0, level: '区县' } };
    expect(adapter.parse(district, {})?.precision).toBe('district');
  });

  it('reads 无相关结果 as nothing and another status as a ProviderError', () => {
    expect(adapter.parse(BAIDU_NO_RESULT, {})).toBeNull();
    expect(() => adapter.parse(BAIDU_BAD_AK, {})).toThrow(
      new ProviderError('baidu', 'status_200', 'answered APP不存在，AK有误请检查再重试 (200)'),
    );
  });
});
