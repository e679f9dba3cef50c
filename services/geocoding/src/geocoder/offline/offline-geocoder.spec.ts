import { OfflineGeocoder } from './offline-geocoder';

describe('OfflineGeocoder', () => {
  let geocoder: OfflineGeocoder;

  beforeAll(async () => {
    geocoder = await OfflineGeocoder.load();
  });

  it('loads the GeoNames cities, regions and country centres', () => {
    const { stats } = geocoder.gazetteer;
    expect(stats.places).toBeGreaterThan(100_000);
    expect(stats.regions).toBeGreaterThan(3_000);
    expect(stats.countries).toBeGreaterThan(240);
  });

  it.each([
    ['Shanghai', { countryCode: 'CN', city: 'Shanghai' }, 31.22, 121.46, 'Shanghai', '上海市'],
    ['深圳 (Chinese, no suffix)', { countryCode: 'CN', city: '深圳' }, 22.55, 114.07, 'Shenzhen', '广东省'],
    ['深圳市 (Chinese, with 市)', { countryCode: 'CN', city: '深圳市' }, 22.55, 114.07, 'Shenzhen', '广东省'],
    ['Beijing', { countryCode: 'CN', city: 'Beijing' }, 39.91, 116.4, 'Beijing', '北京市'],
    [
      '上海市 with region (a district goes further: china-addresses.spec.ts)',
      { countryCode: 'CN', region: '上海市', city: '上海市' },
      31.22,
      121.46,
      'Shanghai',
      '上海市',
    ],
    ['Berlin, DE', { countryCode: 'DE', city: 'Berlin' }, 52.52, 13.41, 'Berlin', 'State of Berlin'],
    [
      'New York, US (GeoNames says "New York City")',
      { countryCode: 'US', city: 'New York' },
      40.71,
      -74.01,
      'New York City',
      'New York',
    ],
    [
      'lower-case country, diacritics left out',
      { countryCode: 'br', city: 'Sao Paulo' },
      -23.55,
      -46.64,
      'São Paulo',
      'São Paulo',
    ],
    ["Xi'an without the apostrophe", { countryCode: 'CN', city: 'Xian' }, 34.26, 108.93, 'Xi’an', '陕西省'],
    [
      '哈尔滨市 (not romanised as pinyin)',
      { countryCode: 'CN', city: '哈尔滨市' },
      45.75,
      126.65,
      'Harbin',
      '黑龙江省',
    ],
  ])('%s -> city', (_, address, lat, lng, city, region) => {
    const result = geocoder.geocodeNow(address);
    expect(result).toMatchObject({
      precision: 'city',
      source: 'geonames',
      normalized: { city, region: { name: region } },
    });
    expect(result?.lat).toBeCloseTo(lat, 1);
    expect(result?.lng).toBeCloseTo(lng, 1);
  });

  it('takes the most populous of several places with the name, unless the region says otherwise', () => {
    // 苏州 (Jiangsu) and 宿州 (Anhui) are both "Suzhou".
    expect(geocoder.geocodeNow({ countryCode: 'CN', city: 'Suzhou' })?.normalized.region?.name).toBe(
      '江苏省',
    );
    expect(
      geocoder.geocodeNow({ countryCode: 'CN', region: '安徽', city: '宿州' })?.normalized.region?.name,
    ).toBe('安徽省');
  });

  it('falls back to the country centre, with precision country, for a city it does not know', () => {
    const result = geocoder.geocodeNow({ countryCode: 'CN', city: 'Atlantis' });
    expect(result).toEqual({
      lat: 35,
      lng: 105,
      precision: 'country',
      source: 'world-countries',
      confidence: 0.2,
      normalized: { countryCode: 'CN' },
    });
  });

  it('falls back to the province seat, with precision region, when only the province is known', () => {
    const result = geocoder.geocodeNow({ countryCode: 'CN', region: '广东省', city: '不存在的城市' });
    expect(result).toMatchObject({
      precision: 'region',
      source: 'geonames',
      normalized: { countryCode: 'CN', region: { code: '30', name: '广东省' } },
    });
    expect(result?.lat).toBeCloseTo(23.12, 1); // Guangzhou, the seat
  });

  it('does not trust a city that is not in the stated province', () => {
    expect(geocoder.geocodeNow({ countryCode: 'CN', region: 'Guangdong', city: 'Beijing' })?.precision).toBe(
      'region',
    );
  });

  it.each([
    ['陕西 (Chinese)', '陕西', '26'],
    ['Shaanxi (not Shanxi)', 'Shaanxi', '26'],
    ['Shanxi', 'Shanxi', '24'],
    ['ISO 3166-2 letters', 'CN-GD', '30'],
    ['pinyin of an autonomous region', 'Neimenggu', '20'],
  ])('finds the Chinese province %s', (_, region, code) => {
    expect(geocoder.geocodeNow({ countryCode: 'CN', region })?.normalized.region?.code).toBe(code);
  });

  it('finds US states by their letters and German states by their GeoNames name', () => {
    expect(geocoder.geocodeNow({ countryCode: 'US', region: 'CA' })?.normalized.region?.name).toBe(
      'California',
    );
    expect(geocoder.geocodeNow({ countryCode: 'DE', region: 'Bavaria' })?.normalized.region?.code).toBe('02');
  });

  it.each([
    ['a Chinese one-line address', '中国广东省深圳市南山区科技园科苑路15号', 'CN', 'Shenzhen', 'district'],
    ['a municipality without a city part', '上海浦东新区世纪大道100号', 'CN', 'Shanghai', 'district'],
    ['a city written without 市', '江苏苏州工业园区星湖街328号', 'CN', 'Suzhou', 'city'],
    // Their postal codes (10117, 10118) agree with the city, so the code's centre is used.
    [
      'a German one-line address',
      'Friedrichstraße 43, 10117 Berlin, Deutschland',
      'DE',
      'Berlin',
      'postcode',
    ],
    ['a US one-line address', '350 5th Ave, New York, NY 10118, USA', 'US', 'New York City', 'postcode'],
  ])('reads %s when the structured parts are missing', (_, singleLine, countryCode, city, precision) => {
    expect(geocoder.geocodeNow({ singleLine })).toMatchObject({
      precision,
      normalized: { countryCode, city },
    });
  });

  it('files Hong Kong under its own country code', () => {
    expect(geocoder.geocodeNow({ countryCode: 'CN', city: '香港' })?.normalized.countryCode).toBe('HK');
  });

  it('returns null for an unknown country, and for an address with nothing to go on', async () => {
    expect(geocoder.geocodeNow({ countryCode: 'XX', city: 'Paris' })).toBeNull();
    expect(geocoder.geocodeNow({})).toBeNull();
    expect(geocoder.geocodeNow({ singleLine: 'somewhere nice' })).toBeNull();
    await expect(geocoder.geocode({ countryCode: 'XX' })).resolves.toBeNull();
  });
});
