import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { consoleCsp, tileOrigin } from './console-csp';
import { consoleStatic } from './console-static';

describe("the gateway's console files", () => {
  let dir: string;
  let server: http.Server;
  let base: string;
  const passedOn: string[] = [];

  const serve = async (options: { dir: string; tileUrl?: string }): Promise<void> => {
    const middleware = consoleStatic({ tileUrl: undefined, tileAttribution: undefined, ...options });
    server = http.createServer((req, res) =>
      middleware(req, res, () => {
        passedOn.push(`${req.method} ${req.url}`);
        res.writeHead(418).end();
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-dist-'));
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    fs.writeFileSync(path.join(dir, 'assets', 'index-AbC123.js'), 'console.log(1)');
    passedOn.length = 0;
  });

  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / and for client routes, never cached, under the console CSP', async () => {
    await serve({ dir });
    for (const url of ['/', '/worklist', '/customers/42?tab=invoices']) {
      const res = await fetch(`${base}${url}`, { headers: { accept: 'text/html,application/xhtml+xml' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toBe(consoleCsp(undefined));
      expect(await res.text()).toContain('<div id="root">');
    }
  });

  it('passes a client route on when the caller does not ask for HTML (an API client gets the 404 of Nest)', async () => {
    await serve({ dir });
    expect((await fetch(`${base}/nothing`, { headers: { accept: 'application/json' } })).status).toBe(418);
    expect((await fetch(`${base}/nothing`)).status).toBe(418);
    expect((await fetch(`${base}/`)).status).toBe(200);
  });

  it('serves hashed assets for a year and answers 404 for a missing or unsafe name', async () => {
    await serve({ dir });
    const js = await fetch(`${base}/assets/index-AbC123.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    for (const url of ['/assets/missing.js', '/assets/..%2Findex.html', '/assets/a/b.js']) {
      expect((await fetch(`${base}${url}`)).status).toBe(404);
    }
  });

  it('never shadows the API, sign-in, discovery, health or metrics, nor answers other methods', async () => {
    await serve({ dir });
    for (const url of [
      '/api/v1/me',
      '/api/docs',
      '/auth/login',
      '/.well-known/openid-configuration',
      '/health',
      '/metrics',
    ]) {
      expect((await fetch(`${base}${url}`)).status).toBe(418);
    }
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(418);
    expect(passedOn).toHaveLength(7);
  });

  it('says how to build the console when it is not built', async () => {
    await serve({ dir: path.join(dir, 'nothing-here') });
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build -w services/console');
  });

  it('gives the page its run-time config and lets the configured tile server in, nothing else', async () => {
    const tileUrl = 'https://tiles.example.com/{z}/{x}/{y}.png';
    await serve({ dir, tileUrl });
    const res = await fetch(`${base}/console-config.json`);
    expect(await res.json()).toEqual({ tileUrl, tileAttribution: null });
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("img-src 'self' data: blob: https://tiles.example.com");
    expect(csp).toContain("connect-src 'self' https://tiles.example.com");
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('unsafe');
    expect(tileOrigin('javascript:alert(1)')).toEqual([]);
  });
});
