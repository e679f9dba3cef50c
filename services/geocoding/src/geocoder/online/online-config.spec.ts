import { ConfigError, loadConfig, type EnvSource } from '@duemap/config';
import { geocodingConfig } from '../../config';

function problems(env: EnvSource): string[] {
  try {
    loadConfig(geocodingConfig, env, { service: 'geocoding' });
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.issues.map((issue) => `${issue.key}: ${issue.message}`);
  }
}

describe('geocoding config: online geocoders', () => {
  it('defaults to the offline geocoder with nothing else set', () => {
    const config = loadConfig(geocodingConfig, {}, { service: 'geocoding' });
    expect(config.GEOCODER).toBe('offline');
    expect(config.GEOCODER_RATE_PER_SECOND).toBe(1);
    expect(config.GEOCODER_RATE_SCOPE).toBe('process');
    expect(config.GEOCODER_TIMEOUT).toBe(5_000);
    expect(config.GEOCODER_CACHE_TTL).toBeUndefined();
  });

  it.each([
    ['amap', 'GEOCODER_KEY: is required when GEOCODER=amap (the Amap Web service key)'],
    ['baidu', 'GEOCODER_KEY: is required when GEOCODER=baidu (the Baidu ak)'],
    ['pelias', expect.stringMatching(/^GEOCODER_URL: is required when GEOCODER=pelias without GEOCODER_KEY/)],
  ])('refuses GEOCODER=%s without its key, naming the variable', (geocoder, message) => {
    expect(problems({ GEOCODER: geocoder })).toEqual([message]);
  });

  it('holds the public Nominatim to its usage policy: a User-Agent and at most 1 request/s', () => {
    expect(problems({ GEOCODER: 'nominatim', GEOCODER_RATE_PER_SECOND: '2' })).toEqual([
      expect.stringMatching(/^GEOCODER_USER_AGENT: is required for the public Nominatim/),
      expect.stringMatching(/^GEOCODER_RATE_PER_SECOND: must be 1 for the public Nominatim/),
    ]);
    expect(
      problems({ GEOCODER: 'nominatim', GEOCODER_USER_AGENT: 'acme-duemap/1.0 (ops@acme.example)' }),
    ).toEqual([]);
    // A self-hosted Nominatim sets its own rules.
    expect(
      problems({
        GEOCODER: 'nominatim',
        GEOCODER_URL: 'https://geo.acme.internal',
        GEOCODER_RATE_PER_SECOND: '50',
      }),
    ).toEqual([]);
  });

  it('never echoes the key in an error', () => {
    const issues = problems({ GEOCODER: 'amap', GEOCODER_KEY: 'k-123', GEOCODER_TIMEOUT: '5' });
    expect(issues.join('\n')).not.toContain('k-123');
    expect(issues).toEqual([expect.stringMatching(/^GEOCODER_TIMEOUT: must be a duration/)]);
  });

  it('lists the missing key together with other bad variables in one failed boot', () => {
    expect(problems({ GEOCODER: 'baidu', GEOCODER_TIMEOUT: '5', GEOCODER_URL: 'not a url' })).toEqual([
      expect.stringMatching(/^GEOCODER_URL: must be a http:\/\/ or https:\/\/ URL/),
      'GEOCODER_KEY: is required when GEOCODER=baidu (the Baidu ak)',
      expect.stringMatching(/^GEOCODER_TIMEOUT: must be a duration/),
    ]);
  });
});
