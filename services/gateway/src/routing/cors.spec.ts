import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Cors, parseOrigins } from './cors';

describe('Cors', () => {
  let server: http.Server;
  let base: string;
  const cors = new Cors(parseOrigins(' https://console.example.com, HTTPS://ERP.example.com:8443/ '));

  beforeAll(async () => {
    server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
      if (cors.preflight(req, res)) return;
      res.writeHead(200, Object.fromEntries(cors.responseHeaders(req)));
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const preflight = (origin: string) =>
    fetch(`${base}/api/v1/customers`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization',
      },
    });

  it('grants a preflight from a listed origin, without credentials', async () => {
    const res = await preflight('https://console.example.com');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://console.example.com');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect((await preflight('https://erp.example.com:8443')).status).toBe(204);
  });

  it('refuses a preflight from any other origin, with no grant', async () => {
    for (const origin of [
      'https://evil.example.com',
      'http://console.example.com',
      'https://console.example.com.evil.io',
      'null',
    ]) {
      const res = await preflight(origin);
      expect(res.status).toBe(403);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(await res.json()).toMatchObject({ error: { code: 'CORS_REFUSED' } });
    }
  });

  it('adds the grant to answers for a listed origin only; none by default', async () => {
    const listed = await fetch(`${base}/api/v1/me`, { headers: { origin: 'https://console.example.com' } });
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://console.example.com');
    expect(listed.headers.get('access-control-expose-headers')).toContain('retry-after');
    const other = await fetch(`${base}/api/v1/me`, { headers: { origin: 'https://evil.example.com' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(parseOrigins('').size).toBe(0);
  });

  it('leaves an OPTIONS that is not a preflight to the API', async () => {
    const res = await fetch(`${base}/api/v1/me`, { method: 'OPTIONS' });
    expect(res.status).toBe(200);
  });
});
