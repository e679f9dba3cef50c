import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@duemap/config';
import { testLogger } from '@duemap/testing';
import { gatewayConfig } from '../src/config';
import { createGateway } from '../src/gateway';

interface Seen {
  method: string;
  url: string;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** A stand-in service that records what reaches it and serves a small OpenAPI document. */
async function upstream(name: string, seen: Seen[]): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/api/docs-json') {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            openapi: '3.0.0',
            info: { title: name, version: '1' },
            paths: { [`/api/v1/${name}`]: { get: { summary: name } } },
            components: { schemas: { [`${name}Dto`]: { type: 'object' } } },
          }),
        );
        return;
      }
      seen.push({ method: req.method ?? '', url: req.url ?? '', body, headers: req.headers });
      res.statusCode = req.method === 'POST' ? 201 : 200;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ from: name }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('gateway', () => {
  const seen: Seen[] = [];
  let app: INestApplication;
  let url: string;
  let stubs: { url: string; close(): Promise<void> }[];

  beforeAll(async () => {
    const [customers, payments] = await Promise.all([
      upstream('customers', seen),
      upstream('payments', seen),
    ]);
    stubs = [customers, payments];
    const config = loadConfig(
      gatewayConfig,
      {
        CUSTOMERS_URL: customers.url,
        PAYMENTS_URL: payments.url,
        INVOICING_URL: 'http://127.0.0.1:9', // nothing listens on the discard port
        MAX_BODY_BYTES: '2048',
        UPSTREAM_TIMEOUT_MS: '2000',
      },
      { service: 'gateway' },
    );
    app = await createGateway(config, testLogger());
    await app.listen(0, '127.0.0.1');
    url = String(await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all(stubs.map((s) => s.close()));
  });

  it('forwards a request with its method, path, query, body and headers to the owning service', async () => {
    const res = await fetch(`${url}/api/v1/payments?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k-1' },
      body: JSON.stringify({ amount: { amount: '10.00', currency: 'CNY' } }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ from: 'payments' });
    const last = seen.at(-1);
    expect(last).toMatchObject({ method: 'POST', url: '/api/v1/payments?x=1' });
    expect(JSON.parse(last?.body ?? '{}')).toEqual({ amount: { amount: '10.00', currency: 'CNY' } });
    expect(last?.headers['idempotency-key']).toBe('k-1');
    expect(last?.headers['x-forwarded-for']).toBeDefined();
  });

  it('routes by resource', async () => {
    const res = await fetch(`${url}/api/v1/customers/erp/42`);
    expect(await res.json()).toEqual({ from: 'customers' });
    expect(seen.at(-1)?.url).toBe('/api/v1/customers/erp/42');
  });

  it('strips identity headers a caller tries to set', async () => {
    await fetch(`${url}/api/v1/customers/1`, { headers: { 'x-duemap-subject': 'admin' } });
    expect(seen.at(-1)?.headers['x-duemap-subject']).toBeUndefined();
  });

  it('answers an unknown resource with 404 in the shared error shape', async () => {
    const res = await fetch(`${url}/api/v1/nothing-here`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('refuses an oversized body before forwarding it', async () => {
    const before = seen.length;
    const res = await fetch(`${url}/api/v1/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(5000) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(seen.length).toBe(before);
  });

  it('answers 502 when the owning service is down', async () => {
    const res = await fetch(`${url}/api/v1/invoices/abc`);
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: { code: 'UPSTREAM_UNAVAILABLE' } });
  });

  it('serves one OpenAPI document merged from the services, and Swagger UI', async () => {
    const doc = (await (await fetch(`${url}/api/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
      info: { description: string };
    };
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/v1/customers', '/api/v1/payments']);
    expect(doc.info.description).toContain('invoicing');
    const ui = await fetch(`${url}/api/docs/`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });

  it('has its own /health and /metrics', async () => {
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('duemap_process_cpu');
  });
});
