import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@duemap/config';
import { testLogger, type TestDatabase } from '@duemap/testing';
import { gatewayConfig } from '../src/config';
import { createGateway } from '../src/gateway';
import { createGatewayDatabase } from './gateway-database';

/** The directives of a Content-Security-Policy header, by name. */
function directives(csp: string | null): Map<string, string[]> {
  const parsed = new Map<string, string[]>();
  for (const part of (csp ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) parsed.set(name, values);
  }
  return parsed;
}

describe('gateway secure headers outside /api/v1 (helmet)', () => {
  let app: INestApplication;
  let url: string;
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createGatewayDatabase('gateway_headers');
    const nowhere = 'http://127.0.0.1:9'; // the discard port: no service is needed for pages
    const config = loadConfig(
      gatewayConfig,
      {
        DATABASE_URL: db.url,
        CUSTOMERS_URL: nowhere,
        INVOICING_URL: nowhere,
        PAYMENTS_URL: nowhere,
        NOTIFICATIONS_URL: nowhere,
      },
      { service: 'gateway' },
    );
    app = await createGateway(config, testLogger());
    await app.listen(0, '127.0.0.1');
    url = String(await app.getUrl()).replace('[::1]', '127.0.0.1');
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('serves Swagger UI with helmet headers and a policy its page works under', async () => {
    const page = await fetch(`${url}/api/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('swagger-ui');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(page.headers.get('x-powered-by')).toBeNull();
    // Plain http here: no HSTS unless HSTS_MAX_AGE says the gateway is served over https.
    expect(page.headers.get('strict-transport-security')).toBeNull();

    const csp = directives(page.headers.get('content-security-policy'));
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);

    // The policy allows scripts only from this origin: the page must have no inline script, and
    // every script and stylesheet it loads must come from here and be served.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(body?.trim()).toBe('');
      expect(attributes).toMatch(/\ssrc="[^"]+"/);
    }
    const assets = [...html.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)].map((m) => m[1] ?? '');
    for (const asset of assets) {
      const resolved = new URL(asset, `${url}/api/docs/`);
      expect(resolved.origin).toBe(new URL(url).origin);
      const res = await fetch(resolved);
      expect({ asset, status: res.status }).toEqual({ asset, status: 200 });
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      await res.arrayBuffer();
    }
    // The document Swagger UI fetches (connect-src 'self').
    const init = await fetch(`${url}/api/docs/swagger-ui-init.js`);
    expect(await init.text()).toContain('/api/openapi.json');
  });

  it('keeps the sign-in page on its own stricter policy, with helmet around it', async () => {
    const page = await fetch(`${url}/auth/login`);
    expect(page.status).toBe(200);
    const csp = directives(page.headers.get('content-security-policy'));
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'self'"]);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    const html = await page.text();
    expect(html).toContain('action="/auth/login"');
    expect(html).not.toMatch(/<script/);
  });

  it('puts helmet on discovery, and leaves /api/v1 to its own deny-all headers', async () => {
    const discovery = await fetch(`${url}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    expect(discovery.headers.get('x-content-type-options')).toBe('nosniff');
    expect(discovery.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    await discovery.json();

    const api = await fetch(`${url}/api/v1/customers`);
    expect(api.status).toBe(401);
    expect(api.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    // helmet's own headers are absent there: the forwarder answers /api/v1 before Express.
    expect(api.headers.get('cross-origin-opener-policy')).toBeNull();
    await api.arrayBuffer();
  });
});
