import {
  apiKeyOf,
  apiKeyPrefix,
  formatApiKey,
  issueSecret,
  newApiKeyId,
  parseApiKey,
  secretMatches,
} from './api-key-credential';

describe('API key credentials', () => {
  it('round-trips a key through its dm_ format', () => {
    const id = newApiKeyId();
    const { secret, hash } = issueSecret();
    const key = formatApiKey(id, secret);
    expect(key).toMatch(/^dm_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    expect(parseApiKey(key)).toEqual({ id, secret });
    expect(secretMatches(secret, hash)).toBe(true);
    expect(key.startsWith(apiKeyPrefix(id))).toBe(true);
    expect(apiKeyPrefix(id)).toHaveLength(11);
  });

  it('issues a different secret each time and refuses a wrong one', () => {
    const a = issueSecret();
    const b = issueSecret();
    expect(a.secret).not.toBe(b.secret);
    expect(a.hash).toHaveLength(32);
    expect(secretMatches(b.secret, a.hash)).toBe(false);
  });

  it.each([
    '',
    'garbage',
    'dm_xyz_abc',
    `dm_${'a'.repeat(32)}_short`,
    `dm_${'A'.repeat(32)}_${'a'.repeat(43)}`,
  ])('does not parse %j', (key) => {
    expect(parseApiKey(key)).toBeUndefined();
  });

  it('reads the key from X-Api-Key or Authorization: ApiKey, and nothing from a bearer token', () => {
    expect(apiKeyOf({ 'x-api-key': ' dm_k ' })).toBe('dm_k');
    expect(apiKeyOf({ authorization: 'ApiKey dm_k' })).toBe('dm_k');
    expect(apiKeyOf({ authorization: 'apikey  dm_k' })).toBe('dm_k');
    expect(apiKeyOf({ authorization: 'ApiKey' })).toBe('');
    expect(apiKeyOf({ authorization: 'Bearer ey.x.y' })).toBeUndefined();
    expect(apiKeyOf({ authorization: 'ApiKeyX dm_k' })).toBeUndefined();
    expect(apiKeyOf({})).toBeUndefined();
  });
});
