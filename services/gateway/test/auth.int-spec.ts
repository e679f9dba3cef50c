import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@duemap/config';
import { testLogger, type TestDatabase } from '@duemap/testing';
import { generateKeyPair, SignJWT, type JWK } from 'jose';
import { DataSource } from 'typeorm';
import { gatewayConfig } from '../src/config';
import { dataSourceOptions } from '../src/database/data-source';
import { createGateway } from '../src/gateway';
import { mintToken } from '../src/identity/mint-token';
import { UserStore } from '../src/identity/user-store';
import { SigningKeyStore } from '../src/identity/signing-keys';
import { createGatewayDatabase } from './gateway-database';

const ISSUER = 'http://127.0.0.1:8080';

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('gateway sign-in and token checks', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let url: string;
  let upstream: http.Server;
  let reached = 0;
  let dataSource: DataSource;

  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      reached++;
      req.resume();
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const service = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    db = await createGatewayDatabase('gateway_auth');
    dataSource = new DataSource(dataSourceOptions(db.url));
    await dataSource.initialize();
    await new UserStore(dataSource).add({
      username: 'alice',
      password: 'correct horse battery staple',
      roles: ['finance'],
    });
    await new UserStore(dataSource).add({
      username: 'south',
      password: 'a collector password',
      roles: ['collector'],
      territory: { countries: [], provinces: ['CN/广东省'], salesTerritories: [], customerIds: [] },
    });
    const config = loadConfig(
      gatewayConfig,
      {
        DATABASE_URL: db.url,
        CUSTOMERS_URL: service,
        INVOICING_URL: service,
        PAYMENTS_URL: service,
        NOTIFICATIONS_URL: service,
        GEOCODING_URL: service,
        RATE_LIMIT_PER_ADDRESS: '100000',
        RATE_LIMIT_KEY_PREFIX: `test:auth:${Date.now()}`,
        SIGN_IN_FAILURES_PER_USER: '5',
      },
      { service: 'gateway' },
    );
    app = await createGateway(config, testLogger());
    await app.listen(0, '127.0.0.1');
    url = String(await app.getUrl()).replace('[::1]', '127.0.0.1');
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await dataSource?.destroy();
    upstream?.closeAllConnections();
    await new Promise<void>((resolve) => (upstream ? upstream.close(() => resolve()) : resolve()));
    await db?.drop();
  });

  const get = (path: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${url}${path}`, { headers, redirect: 'manual' });
  const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

  async function expectRefused(headers: Record<string, string>): Promise<void> {
    const before = reached;
    const res = await get('/api/v1/customers', headers);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="duemap"/);
    expect(await res.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED', details: [] } });
    expect(reached).toBe(before);
  }

  it('publishes discovery and the key set of the local issuer', async () => {
    const discovery = (await (await get('/.well-known/openid-configuration')).json()) as Record<
      string,
      unknown
    >;
    expect(discovery).toMatchObject({ issuer: ISSUER, jwks_uri: `${ISSUER}/auth/jwks.json` });
    const jwks = (await (await get('/auth/jwks.json')).json()) as { keys: JWK[] };
    expect(jwks.keys.length).toBeGreaterThanOrEqual(1);
    for (const key of jwks.keys) {
      expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
      expect(key.d).toBeUndefined(); // never the private half
    }
  });

  it('refuses a call without credentials, or with garbage', async () => {
    await expectRefused({});
    await expectRefused({ authorization: 'Bearer not.a.token' });
    await expectRefused({ authorization: 'Basic YWxpY2U6cGFzc3dvcmQ=' });
    await expectRefused({ cookie: 'duemap_session=garbage' });
  });

  it('refuses an unsigned token (alg: none)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      iss: ISSUER,
      aud: 'duemap',
      sub: 'mallory',
      roles: ['admin'],
      iat: now,
      exp: now + 600,
    };
    await expectRefused(bearer(`${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`));
  });

  it('refuses a token signed by another key, even one naming a published kid', async () => {
    const published = (await new SigningKeyStore(dataSource, 3_600_000).published())[0];
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = (kid: string) =>
      new SignJWT({ roles: ['admin'] })
        .setProtectedHeader({ alg: 'EdDSA', kid })
        .setIssuer(ISSUER)
        .setAudience('duemap')
        .setSubject('mallory')
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey);
    await expectRefused(bearer(await forged(published?.kid ?? 'x')));
    await expectRefused(bearer(await forged('unknown-kid')));
  });

  it('refuses an expired token, one not valid yet, and one of another issuer or audience', async () => {
    const now = Date.now();
    const issuedAt = new Date(now - 7_200_000);
    await expectRefused(
      bearer(await mintToken(db.url, { subject: 'alice', roles: ['finance'], issuedAt, ttlSeconds: 600 })),
    );
    await expectRefused(
      bearer(
        await mintToken(db.url, { subject: 'alice', roles: ['finance'], notBefore: new Date(now + 600_000) }),
      ),
    );
    await expectRefused(
      bearer(
        await mintToken(db.url, {
          subject: 'alice',
          roles: ['finance'],
          issuer: 'https://elsewhere.example',
        }),
      ),
    );
    await expectRefused(
      bearer(await mintToken(db.url, { subject: 'alice', roles: ['finance'], audience: 'another-api' })),
    );
  });

  it('admits a valid token, and refuses with 403 what its roles may not do', async () => {
    const viewer = bearer(await mintToken(db.url, { subject: 'vera', roles: ['viewer'] }));
    const before = reached;
    expect((await get('/api/v1/customers', viewer)).status).toBe(200);
    expect(reached).toBe(before + 1);
    const write = await fetch(`${url}/api/v1/customers/sap/1`, {
      method: 'PUT',
      headers: viewer,
      body: '{}',
    });
    expect(write.status).toBe(403);
    expect(await write.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect((await get('/api/v1/audit', viewer)).status).toBe(403);
    expect(reached).toBe(before + 1);
  });

  it('answers /api/v1/me with who the caller is', async () => {
    const token = await mintToken(db.url, {
      subject: 'south',
      roles: ['collector'],
      territory: { countries: [], provinces: ['CN/广东省'], salesTerritories: [], customerIds: [] },
    });
    const me = await get('/api/v1/me', bearer(token));
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({
      subject: 'south',
      kind: 'user',
      roles: ['collector'],
      permissions: expect.arrayContaining(['customers:read', 'self:read']) as unknown,
      territory: { countries: [], provinces: ['CN/广东省'], salesTerritories: [], customerIds: [] },
    });
  });

  it('issues tokens for the password grant, form or JSON, and refuses a wrong password', async () => {
    const form = await fetch(`${url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        username: 'alice',
        password: 'correct horse battery staple',
      }),
    });
    expect(form.status).toBe(200);
    const issued = (await form.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(issued).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const me = (await (await get('/api/v1/me', bearer(issued.access_token))).json()) as { subject: string };
    expect(me.subject).toBe('alice');

    const wrong = await fetch(`${url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', username: 'alice', password: 'wrong password!' }),
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const unknown = await fetch(`${url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', username: 'nobody', password: 'whatever it is' }),
    });
    expect(unknown.status).toBe(401);
  });

  it('refuses an address that keeps guessing a password, even the right one, until the window passes', async () => {
    await new UserStore(dataSource).add({
      username: 'carol',
      password: 'carol has a long password',
      roles: ['viewer'],
    });
    const attempt = (password: string): Promise<Response> =>
      fetch(`${url}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'password', username: 'carol', password }),
      });
    for (let i = 0; i < 5; i++) expect((await attempt(`guess number ${i}`)).status).toBe(401);
    const blocked = await attempt('carol has a long password');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await blocked.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    const page = await fetch(`${url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'carol', password: 'carol has a long password' }),
      redirect: 'manual',
    });
    expect(page.status).toBe(429);
    // Another user from the same address is not held up by carol's guesses.
    const alice = await fetch(`${url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'password',
        username: 'alice',
        password: 'correct horse battery staple',
      }),
    });
    expect(alice.status).toBe(200);
  });

  it('signs in on the page, with a session cookie that /api/v1 takes, and signs out', async () => {
    const page = await get('/auth/login?next=/console');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('用户名');
    expect(html).toContain('value="/console"');

    const failed = await fetch(`${url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'south', password: 'not it at all', next: '/console' }),
      redirect: 'manual',
    });
    expect(failed.status).toBe(401);
    expect(failed.headers.get('set-cookie')).toBeNull();

    const signedIn = await fetch(`${url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        username: 'south',
        password: 'a collector password',
        next: '//evil.example',
      }),
      redirect: 'manual',
    });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/');
    const cookie = signedIn.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^duemap_session=ey[^;]+; HttpOnly; SameSite=Strict; Path=\/; Max-Age=3600$/);
    const session = { cookie: cookie.split(';')[0] ?? '' };

    const me = await get('/api/v1/me', session);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ subject: 'south', roles: ['collector'] });

    // A change by cookie needs proof it comes from the page itself (CSRF).
    const crossSite = await fetch(`${url}/api/v1/payments`, {
      method: 'POST',
      headers: { ...session, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(crossSite.status).toBe(403);
    const fromPage = await fetch(`${url}/api/v1/payments`, {
      method: 'POST',
      headers: { ...session, 'x-requested-with': 'fetch', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(fromPage.status).toBe(200);

    const out = await fetch(`${url}/auth/logout`, { method: 'POST', headers: session, redirect: 'manual' });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/^duemap_session=; .*Max-Age=0/);
  });

  it('keeps verifying tokens of a rotated-out key, and takes tokens of the new one', async () => {
    const before = await mintToken(db.url, { subject: 'alice', roles: ['finance'] });
    await new SigningKeyStore(dataSource, 3_600_000).rotate();
    const after = await mintToken(db.url, { subject: 'alice', roles: ['finance'] });
    expect((await get('/api/v1/me', bearer(before))).status).toBe(200);
    expect((await get('/api/v1/me', bearer(after))).status).toBe(200);
    const jwks = (await (await get('/auth/jwks.json')).json()) as { keys: JWK[] };
    expect(jwks.keys.length).toBeGreaterThanOrEqual(2);
  });
});
