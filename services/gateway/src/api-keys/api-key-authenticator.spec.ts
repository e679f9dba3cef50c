import type { IncomingMessage } from 'node:http';
import { ApiKeyAuthenticator, type ApiKeyLookup, type ApiKeyRecord } from './api-key-authenticator';
import { formatApiKey, issueSecret, newApiKeyId } from './api-key-credential';

class MemoryLookup implements ApiKeyLookup {
  readonly rows = new Map<string, ApiKeyRecord>();
  finds = 0;
  touches: string[] = [];
  find(id: string): Promise<ApiKeyRecord | null> {
    this.finds += 1;
    const row = this.rows.get(id);
    return Promise.resolve(row ? { ...row } : null);
  }
  touch(id: string): Promise<void> {
    this.touches.push(id);
    return Promise.resolve();
  }
}

function request(
  headers: Record<string, string>,
  method = 'GET',
  url = '/api/v1/customers/1',
): IncomingMessage {
  return { headers, method, url } as unknown as IncomingMessage;
}

describe('ApiKeyAuthenticator', () => {
  let clock: number;
  let lookup: MemoryLookup;
  let auth: ApiKeyAuthenticator;

  function addKey(overrides: Partial<ApiKeyRecord> = {}): string {
    const id = newApiKeyId();
    const { secret, hash } = issueSecret();
    lookup.rows.set(id, {
      id,
      secretHash: hash,
      roles: ['integration'],
      scope: ['customers:write'],
      sources: ['sap'],
      expiresAt: null,
      revokedAt: null,
      ...overrides,
    });
    return formatApiKey(id, secret);
  }

  beforeEach(() => {
    clock = 1_000_000;
    lookup = new MemoryLookup();
    auth = new ApiKeyAuthenticator(lookup, { cacheTtlMs: 5000, now: () => clock });
  });

  it('admits a valid key with its roles, scope and sources, and drops it from the headers', async () => {
    const key = addKey();
    const id = key.slice(3, 35).replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
    const req = request({ 'x-api-key': key, other: 'kept' });
    expect(await auth.admit(req)).toEqual({
      subject: `api-key:${id}`,
      kind: 'api-key',
      roles: ['integration'],
      scope: ['customers:write'],
      sources: ['sap'],
      keyId: id,
    });
    expect(req.headers).toEqual({ other: 'kept' });
  });

  it('refuses an API key sent beside an Authorization header', async () => {
    const key = addKey();
    const req = request({ 'x-api-key': key, authorization: 'Bearer x' });
    expect(await auth.admit(req)).toMatchObject({
      status: 401,
      message: expect.stringContaining('not both') as string,
    });
    expect(lookup.finds).toBe(0);
  });

  it('leaves a request without an API key to the other credentials', async () => {
    const req = request({ authorization: 'Bearer x' });
    expect(await auth.admit(req)).toBeUndefined();
    expect(req.headers.authorization).toBe('Bearer x');
  });

  it.each([
    ['garbage', () => 'garbage'],
    ['an unknown id', () => formatApiKey(newApiKeyId(), issueSecret().secret)],
    ['a wrong secret', (k: string) => k.slice(0, 36) + issueSecret().secret],
    ['an empty key', () => ''],
  ])('refuses %s with 401', async (_name, make: (k: string) => string) => {
    const key = make(addKey());
    expect(await auth.admit(request({ authorization: `ApiKey ${key}` }))).toMatchObject({
      status: 401,
      message: 'the API key is not valid',
    });
  });

  it('refuses a revoked or expired key', async () => {
    const revoked = addKey({ revokedAt: new Date(clock - 1) });
    const expired = addKey({ expiresAt: new Date(clock) });
    expect(await auth.authenticate(revoked)).toMatchObject({
      status: 401,
      message: 'the API key was revoked',
    });
    expect(await auth.authenticate(expired)).toMatchObject({
      status: 401,
      message: 'the API key has expired',
    });
  });

  it('keeps a key rotated with a grace period working until the grace ends', async () => {
    const key = addKey({ revokedAt: new Date(clock + 60_000) });
    expect(await auth.authenticate(key)).toMatchObject({ kind: 'api-key' });
    clock += 60_000;
    expect(await auth.authenticate(key)).toMatchObject({ status: 401, message: 'the API key was revoked' });
  });

  it('refuses with 403 a path naming a source the key is not for', async () => {
    const key = addKey();
    const req = request({ 'x-api-key': key }, 'PUT', '/api/v1/customers/kingdee/X');
    expect(await auth.admit(req)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    const ok = request({ 'x-api-key': key }, 'PUT', '/api/v1/customers/sap/X');
    expect(await auth.admit(ok)).toMatchObject({ kind: 'api-key' });
  });

  it('reads a key once per TTL, and again at once after forget', async () => {
    const key = addKey();
    await Promise.all([auth.authenticate(key), auth.authenticate(key), auth.authenticate(key)]);
    expect(lookup.finds).toBe(1);
    clock += 4999;
    await auth.authenticate(key);
    expect(lookup.finds).toBe(1);
    clock += 2;
    await auth.authenticate(key);
    expect(lookup.finds).toBe(2);

    const id = [...lookup.rows.keys()][0] ?? '';
    lookup.rows.get(id)!.revokedAt = new Date(clock);
    auth.forget(id);
    expect(await auth.authenticate(key)).toMatchObject({ status: 401 });
    expect(lookup.finds).toBe(3);
  });

  it('records use at most once a minute per key', async () => {
    const key = addKey();
    await auth.authenticate(key);
    clock += 59_999;
    await auth.authenticate(key);
    expect(lookup.touches).toHaveLength(1);
    clock += 1;
    await auth.authenticate(key);
    expect(lookup.touches).toHaveLength(2);
  });

  it('refuses a cache TTL above 5 s', () => {
    expect(() => new ApiKeyAuthenticator(lookup, { cacheTtlMs: 5001 })).toThrow('5000');
  });
});
