import {
  ForbiddenException,
  HttpException,
  UnauthorizedException,
  type ExecutionContext,
} from '@nestjs/common';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Identity } from '../identity';
import { IDENTITY_HEADER, InternalIdentity } from '../internal-identity';
import { ServiceAuthGuard, type AuthenticatedRequest, type ServiceAuthOptions } from './service-auth.guard';

const SECRET = 'a-secret-of-at-least-thirty-two-bytes-for-tests';
const ISSUER = 'http://issuer.test';
const AUDIENCE = 'duemap';

interface FakeRequest {
  method: string;
  path: string;
  route?: { path: string };
  headers: Record<string, string | undefined>;
  params: Record<string, string>;
  identity?: Identity;
}

function request(
  method: string,
  route: string,
  headers: FakeRequest['headers'] = {},
  path = route,
): FakeRequest {
  const params: Record<string, string> = {};
  const names = [...route.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1] ?? '');
  const values = path.split('/');
  route.split('/').forEach((segment, i) => {
    if (segment.startsWith(':')) params[segment.slice(1)] = values[i] ?? '';
  });
  expect(Object.keys(params)).toEqual(names);
  return { method, path, route: { path: route }, headers, params };
}

function contextOf(req: FakeRequest, type = 'http'): ExecutionContext {
  return {
    getType: () => type,
    switchToHttp: () => ({ getRequest: () => req as unknown as AuthenticatedRequest }),
  } as unknown as ExecutionContext;
}

async function signed(identity: Partial<Identity> & Pick<Identity, 'roles'>, secret = SECRET, now?: number) {
  const full: Identity = { subject: 'alice', kind: 'user', ...identity };
  return { [IDENTITY_HEADER]: await new InternalIdentity(secret).sign(full, now) };
}

/** The status and the code of the shared error body a refusal carries. */
async function refusal(promise: Promise<unknown>): Promise<[number, string]> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(HttpException);
    const response = (err as HttpException).getResponse() as { error: { code: string; message: string } };
    expect(typeof response.error.message).toBe('string');
    return [(err as HttpException).getStatus(), response.error.code];
  }
  throw new Error('the request was let through');
}

describe('ServiceAuthGuard', () => {
  let jwks: Server;
  let issuerKey: KeyLike;
  let options: ServiceAuthOptions;
  let guard: ServiceAuthGuard;

  beforeAll(async () => {
    // A tiny JWKS endpoint with a key generated here: the bearer path as a service meets it.
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    issuerKey = privateKey;
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as AddressInfo;
    options = {
      identitySecret: SECRET,
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUrl: `http://127.0.0.1:${port}/jwks.json`,
    };
    guard = new ServiceAuthGuard(options);
  });

  afterAll(async () => {
    await new Promise<void>((resolve, reject) => jwks.close((err) => (err ? reject(err) : resolve())));
  });

  const bearer = (claims: Record<string, unknown>, key: KeyLike = issuerKey, audience = AUDIENCE) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(audience)
      .setSubject('bob')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);

  it('lets a valid gateway identity through and leaves it on the request', async () => {
    const req = request(
      'GET',
      '/api/v1/customers/:id',
      await signed({ roles: ['viewer'] }),
      '/api/v1/customers/c1',
    );
    await expect(guard.canActivate(contextOf(req))).resolves.toBe(true);
    expect(req.identity).toMatchObject({ subject: 'alice', roles: ['viewer'] });
  });

  it('refuses a request without identity with 401 UNAUTHENTICATED', async () => {
    const req = request('GET', '/api/v1/customers');
    expect(await refusal(guard.canActivate(contextOf(req)))).toEqual([401, 'UNAUTHENTICATED']);
    expect(req.identity).toBeUndefined();
  });

  it('refuses a tampered, expired or otherwise signed identity with 401', async () => {
    const good = (await signed({ roles: ['viewer'] }))[IDENTITY_HEADER] ?? '';
    const [header, payload, signature] = good.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, rol: ['admin'] })).toString('base64url');
    const tampered = { [IDENTITY_HEADER]: `${header}.${forged}.${signature}` };
    const expired = await signed({ roles: ['admin'] }, SECRET, Date.now() - 60 * 60_000);
    const otherSecret = await signed({ roles: ['admin'] }, 'another-secret-of-at-least-thirty-two-bytes');
    for (const headers of [tampered, expired, otherSecret, { [IDENTITY_HEADER]: 'not-a-jws' }]) {
      const req = request('GET', '/api/v1/customers', headers);
      expect(await refusal(guard.canActivate(contextOf(req)))).toEqual([401, 'UNAUTHENTICATED']);
    }
  });

  it('does not fall back to a bearer token when the identity header is invalid', async () => {
    const token = await bearer({ roles: ['admin'] });
    const req = request('GET', '/api/v1/customers', {
      [IDENTITY_HEADER]: 'x',
      authorization: `Bearer ${token}`,
    });
    expect(await refusal(guard.canActivate(contextOf(req)))).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('refuses an operation missing from the permission matrix with 403', async () => {
    const req = request(
      'DELETE',
      '/api/v1/customers/:id',
      await signed({ roles: ['admin'] }),
      '/api/v1/customers/c1',
    );
    expect(await refusal(guard.canActivate(contextOf(req)))).toEqual([403, 'FORBIDDEN']);
  });

  it('refuses a role without the permission with 403', async () => {
    const viewer = await signed({ roles: ['viewer'] });
    const req = request(
      'PUT',
      '/api/v1/customers/:sourceSystem/:externalId',
      viewer,
      '/api/v1/customers/sap/1',
    );
    expect(await refusal(guard.canActivate(contextOf(req)))).toEqual([403, 'FORBIDDEN']);
    const scoped = await signed({ roles: ['integration'], kind: 'api-key', scope: ['customers:read'] });
    const write = request(
      'PUT',
      '/api/v1/customers/:sourceSystem/:externalId',
      scoped,
      '/api/v1/customers/sap/1',
    );
    expect(await refusal(guard.canActivate(contextOf(write)))).toEqual([403, 'FORBIDDEN']);
  });

  it('keeps an API key to its source systems (compared as the services store them)', async () => {
    const key = await signed({ roles: ['integration'], kind: 'api-key', sources: ['sap'] });
    const route = '/api/v1/customers/:sourceSystem/:externalId';
    const other = request('PUT', route, key, '/api/v1/customers/kingdee/1');
    expect(await refusal(guard.canActivate(contextOf(other)))).toEqual([403, 'FORBIDDEN']);
    const bySource = request(
      'GET',
      '/api/v1/customers/by-source/:sourceSystem/:externalId',
      key,
      '/api/v1/customers/by-source/kingdee/1',
    );
    expect(await refusal(guard.canActivate(contextOf(bySource)))).toEqual([403, 'FORBIDDEN']);
    await expect(
      guard.canActivate(contextOf(request('PUT', route, key, '/api/v1/customers/SAP/1'))),
    ).resolves.toBe(true);
  });

  it('checks a route reached with another letter case (Express routes ignore case)', async () => {
    const req = request('GET', '/api/v1/customers', {}, '/API/V1/CUSTOMERS');
    expect(await refusal(guard.canActivate(contextOf(req)))).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('answers HEAD as the GET of the matrix', async () => {
    const req = request('HEAD', '/api/v1/customers', await signed({ roles: ['viewer'] }));
    await expect(guard.canActivate(contextOf(req))).resolves.toBe(true);
  });

  it('leaves health, metrics and non-HTTP contexts alone', async () => {
    await expect(guard.canActivate(contextOf(request('GET', '/health')))).resolves.toBe(true);
    await expect(guard.canActivate(contextOf(request('GET', '/metrics')))).resolves.toBe(true);
    await expect(guard.canActivate(contextOf(request('GET', '/api/v1/customers'), 'rpc'))).resolves.toBe(
      true,
    );
  });

  it('accepts a bearer token of the issuer, verified against its JWKS', async () => {
    const token = await bearer({ roles: ['finance'] });
    const req = request('GET', '/api/v1/customers', { authorization: `bearer ${token}` });
    await expect(guard.canActivate(contextOf(req))).resolves.toBe(true);
    expect(req.identity).toMatchObject({ subject: 'bob', roles: ['finance'] });
  });

  it('refuses a bearer token of another key or audience, and a bearer token lacking the permission', async () => {
    const { privateKey: stranger } = await generateKeyPair('ES256');
    for (const token of [
      await bearer({ roles: ['admin'] }, stranger),
      await bearer({ roles: ['admin'] }, issuerKey, 'x'),
    ]) {
      const req = request('GET', '/api/v1/customers', { authorization: `Bearer ${token}` });
      expect(await refusal(guard.canActivate(contextOf(req)))).toEqual([401, 'UNAUTHENTICATED']);
    }
    const viewer = await bearer({ roles: ['viewer'] });
    const req = request('POST', '/api/v1/payments', { authorization: `Bearer ${viewer}` });
    expect(await refusal(guard.canActivate(contextOf(req)))).toEqual([403, 'FORBIDDEN']);
  });

  it('throws the Nest exceptions the shared error filter maps to 401 and 403', async () => {
    await expect(guard.canActivate(contextOf(request('GET', '/api/v1/customers')))).rejects.toBeInstanceOf(
      UnauthorizedException,
    );
    const admin = await signed({ roles: ['admin'] });
    await expect(
      guard.canActivate(contextOf(request('PATCH', '/api/v1/customers', admin))),
    ).rejects.toBeInstanceOf(ForbiddenException);
  });
});
