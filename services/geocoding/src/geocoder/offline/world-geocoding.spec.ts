import type { GeocodeAddress } from '../geocoding-provider';
import { OfflineGeocoder } from './offline-geocoder';

// Real places, coordinates from GeoNames (within ~0.1 degree: city centres, ZIP centroids).
describe('OfflineGeocoder outside China: alternate names, typos, postcodes', () => {
  let geocoder: OfflineGeocoder;

  beforeAll(async () => {
    geocoder = await OfflineGeocoder.load();
  }, 120_000);

  const expectNear = (address: GeocodeAddress, lat: number, lng: number): void => {
    const result = geocoder.geocodeNow(address);
    expect(result?.lat).toBeCloseTo(lat, 0);
    expect(result?.lng).toBeCloseTo(lng, 0);
  };

  it('loads GeoNames alternate names for the larger cities', () => {
    expect(geocoder.gazetteer.stats.alternateNames).toBeGreaterThan(150_000);
  });

  describe('cities written in their own language or script', () => {
    it.each([
      ['DE', 'München', 'Munich', 48.14, 11.58],
      ['DE', 'Köln', 'Köln', 50.93, 6.95],
      ['DE', 'Cologne', 'Köln', 50.93, 6.95],
      ['CH', 'Zürich', 'Zürich', 47.37, 8.55],
      ['CH', 'Genf', 'Genève', 46.2, 6.15],
      ['CH', 'Geneva', 'Genève', 46.2, 6.15],
      ['BE', 'Bruxelles', 'Brussels', 50.85, 4.35],
      ['BE', 'Brussel', 'Brussels', 50.85, 4.35],
      ['AT', 'Wien', 'Vienna', 48.21, 16.37],
      ['CZ', 'Praha', 'Prague', 50.09, 14.42],
      ['RU', 'Москва', 'Moscow', 55.75, 37.62],
      ['RU', 'Moskva', 'Moscow', 55.75, 37.62],
      ['GR', 'Αθήνα', 'Athens', 37.98, 23.73],
      ['JP', '東京', 'Tokyo', 35.69, 139.69],
      ['JP', '大阪', 'Osaka', 34.69, 135.5],
      ['KR', '서울', 'Seoul', 37.57, 126.98],
      ['IT', 'Milano', 'Milan', 45.46, 9.19],
      ['PL', 'Warszawa', 'Warsaw', 52.23, 21.01],
      ['DK', 'København', 'Copenhagen', 55.68, 12.57],
      ['PT', 'Lisboa', 'Lisbon', 38.72, -9.13],
      ['UA', 'Київ', 'Kyiv', 50.45, 30.52],
      ['IN', 'Bombay', 'Mumbai', 19.07, 72.88],
      ['ES', 'Sevilla', 'Sevilla', 37.38, -5.97],
    ])('%s %s -> %s', (countryCode, city, name, lat, lng) => {
      const result = geocoder.geocodeNow({ countryCode, city });
      expect(result).toMatchObject({ precision: 'city', source: 'geonames', normalized: { city: name } });
      expect(result?.confidence).toBeGreaterThanOrEqual(0.7);
      expectNear({ countryCode, city }, lat, lng);
    });
  });

  describe('umlauts written as ae/oe/ue', () => {
    it.each([
      ['DE', 'Koeln', 'Köln'],
      ['CH', 'Zuerich', 'Zürich'],
      ['DE', 'Duesseldorf', 'Düsseldorf'],
      ['DE', 'Muenchen', 'Munich'],
      ['DE', 'Nuernberg', 'Nürnberg'],
    ])('%s %s -> %s', (countryCode, city, name) => {
      expect(geocoder.geocodeNow({ countryCode, city })).toMatchObject({
        precision: 'city',
        normalized: { city: name },
      });
    });
  });

  describe('typos', () => {
    it.each([
      ['ES', 'Barcelna', 'Barcelona', 1],
      ['NL', 'Amsterdm', 'Amsterdam', 1],
      ['GB', 'Mnachester', 'Manchester', 1],
      ['GB', 'Liverpol', 'Liverpool', 1],
      ['FR', 'Marseile', 'Marseille', 1],
      ['DE', 'Stuttgrat', 'Stuttgart', 1],
      ['US', 'Philadelpia', 'Philadelphia', 1],
      ['PT', 'Lisbn', 'Lisbon', 1],
      ['DE', 'Frankfrut am Mian', 'Frankfurt am Main', 2],
    ])(
      '%s %s -> %s (%i edits), with less confidence than the right spelling',
      (countryCode, city, name, edits) => {
        const result = geocoder.geocodeNow({ countryCode, city });
        expect(result).toMatchObject({ precision: 'city', normalized: { city: name } });
        const right = geocoder.geocodeNow({ countryCode, city: name });
        expect(result?.confidence).toBeLessThan(right?.confidence ?? 0);
        expect(result?.confidence).toBe(edits === 1 ? 0.7 : 0.55);
      },
    );

    it('prefers the place of the stated region among the near names', () => {
      const result = geocoder.geocodeNow({ countryCode: 'US', region: 'MA', city: 'Springfeld' });
      expect(result).toMatchObject({ normalized: { city: 'Springfield', region: { code: 'MA' } } });
      expect(result?.confidence).toBe(0.8);
    });

    it('does not make a city out of garbage or of short words', () => {
      for (const city of ['asdfgh', 'Xyzzyq', 'qwertz', 'Lnd']) {
        expect(geocoder.geocodeNow({ countryCode: 'DE', city })?.precision).toBe('country');
      }
    });
  });

  describe('homonyms ranked by population, unless the region says otherwise', () => {
    it('Frankfurt is Frankfurt am Main, or Frankfurt (Oder) in Brandenburg', () => {
      expect(geocoder.geocodeNow({ countryCode: 'DE', city: 'Frankfurt' })?.normalized).toMatchObject({
        city: 'Frankfurt am Main',
        region: { name: 'Hesse' },
      });
      expect(
        geocoder.geocodeNow({ countryCode: 'DE', region: 'Brandenburg', city: 'Frankfurt' })?.normalized.city,
      ).toBe('Frankfurt (Oder)');
    });

    it.each([
      ['IL', 'Illinois', 39.8, -89.64],
      ['MA', 'Massachusetts', 42.1, -72.59],
      ['MO', 'Missouri', 37.22, -93.3],
    ])('Springfield, %s', (region, name, lat, lng) => {
      const result = geocoder.geocodeNow({ countryCode: 'US', region, city: 'Springfield' });
      expect(result?.normalized.region?.name).toBe(name);
      expect(result?.confidence).toBe(0.9);
      expectNear({ countryCode: 'US', region, city: 'Springfield' }, lat, lng);
    });

    it('a name several large places share, without a region, is less sure', () => {
      expect(geocoder.geocodeNow({ countryCode: 'US', city: 'Springfield' })?.confidence).toBe(0.7);
      expect(
        geocoder.geocodeNow({ countryCode: 'US', region: 'ME', city: 'Portland' })?.normalized.region?.code,
      ).toBe('ME');
    });
  });

  describe('postcodes (US ZIP codes, Canadian forward sortation areas)', () => {
    it.each([
      [
        'Beverly Hills 90210',
        { countryCode: 'US', city: 'Beverly Hills', postalCode: '90210' },
        34.09,
        -118.41,
      ],
      [
        'ZIP+4',
        { countryCode: 'US', region: 'CA', city: 'San Francisco', postalCode: '94103-1234' },
        37.77,
        -122.41,
      ],
      ['Toronto M5V 3L9', { countryCode: 'CA', city: 'Toronto', postalCode: 'M5V 3L9' }, 43.65, -79.37],
      [
        'Montréal H3Z 2Y7',
        { countryCode: 'CA', region: 'Quebec', city: 'Montréal', postalCode: 'h3z2y7' },
        45.49,
        -73.58,
      ],
      [
        'a one-line US address',
        { singleLine: '1600 Amphitheatre Pkwy, Mountain View, CA 94043, USA' },
        37.42,
        -122.08,
      ],
      [
        'a one-line Canadian address',
        { singleLine: '111 Wellington St, Ottawa, ON K1A 0A9, Canada' },
        45.42,
        -75.7,
      ],
    ])('%s -> postcode centre', (_, address, lat, lng) => {
      const result = geocoder.geocodeNow(address);
      expect(result).toMatchObject({ precision: 'postcode', source: 'zipcodes' });
      expect(result?.confidence).toBe(0.95);
      expect(result?.lat).toBeCloseTo(lat, 1);
      expect(result?.lng).toBeCloseTo(lng, 1);
    });

    it.each([
      ['DE', 'Berlin', '10117', 'Berlin', 52.52, 13.39],
      ['DE', 'München', '80331', 'Munich', 48.13, 11.57],
      ['FR', 'Paris', '75008', 'Paris', 48.86, 2.33],
      ['GB', 'London', 'SW1A 2AA', 'London', 51.5, -0.13],
      ['NL', 'Amsterdam', '1012 AB', 'Amsterdam', 52.37, 4.9],
      ['CH', 'Zürich', 'CH-8001', 'Zürich', 47.37, 8.54],
      ['IT', 'Milano', '20121', 'Milan', 45.46, 9.19],
      ['ES', 'Barcelona', '08008', 'Barcelona', 41.39, 2.16],
    ])('%s %s %s -> the GeoNames postal code centre', (countryCode, city, postalCode, name, lat, lng) => {
      const result = geocoder.geocodeNow({ countryCode, city, postalCode });
      expect(result).toMatchObject({ precision: 'postcode', confidence: 0.95, normalized: { city: name } });
      expect(result?.normalized.region).toBeDefined();
      expect(result?.lat).toBeCloseTo(lat, 1);
      expect(result?.lng).toBeCloseTo(lng, 1);
    });

    it('a European postcode far from the named city is not used', () => {
      const result = geocoder.geocodeNow({ countryCode: 'DE', city: 'Hamburg', postalCode: '80331' });
      expect(result).toMatchObject({ precision: 'city', confidence: 0.7, normalized: { city: 'Hamburg' } });
    });

    it('a ZIP code alone gives its area, its place and its state', () => {
      expect(geocoder.geocodeNow({ countryCode: 'US', postalCode: '10118' })).toMatchObject({
        precision: 'postcode',
        confidence: 0.85,
        normalized: { countryCode: 'US', city: 'New York', region: { code: 'NY' } },
      });
    });

    it('a postcode that contradicts the city or the region is not used', () => {
      const otherCity = geocoder.geocodeNow({ countryCode: 'US', city: 'Boston', postalCode: '90210' });
      expect(otherCity).toMatchObject({ precision: 'city', normalized: { city: 'Boston' } });
      expect(otherCity?.confidence).toBe(0.7);
      const otherRegion = geocoder.geocodeNow({ countryCode: 'US', region: 'NY', postalCode: '90210' });
      expect(otherRegion?.precision).toBe('region');
      expect(otherRegion?.normalized.region?.code).toBe('NY');
    });

    it('a postcode of another country, or of a country without postcode data, leaves the city', () => {
      expect(
        geocoder.geocodeNow({ countryCode: 'CA', city: 'Toronto', postalCode: '90210' })?.precision,
      ).toBe('city');
      expect(
        geocoder.geocodeNow({ countryCode: 'PL', city: 'Warszawa', postalCode: '00-001' })?.precision,
      ).toBe('city');
    });
  });

  it.each([
    ['Marienplatz 8, 80331 Muenchen, Germany', 'DE', 'Munich'],
    ['10 Downing St, Londn SW1A 2AA, United Kingdom', 'GB', 'London'],
    ['Paseo de Gracia 92, 08008 Barcelna, España', 'ES', 'Barcelona'],
    ['Bahnhofstrasse 1, 8001 Zürich, Schweiz', 'CH', 'Zürich'],
  ])('reads the city and postal code of the one-line address %s', (singleLine, countryCode, city) => {
    expect(geocoder.geocodeNow({ singleLine })).toMatchObject({
      precision: 'postcode',
      normalized: { countryCode, city },
    });
  });
});
