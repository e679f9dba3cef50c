import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@duemap/config';
import { IDENTITY_HEADER, InternalIdentity } from '@duemap/auth';
import { TEST_IDENTITY_SECRET, testLogger, type TestDatabase } from '@duemap/testing';
import { gatewayConfig } from '../src/config';
import { createGateway } from '../src/gateway';
import { mintToken } from '../src/identity/mint-token';
import { createGatewayDatabase } from './gateway-database';

interface Seen {
  method: string;
  url: string;
  body: string;
  headers: http.IncomingHttpHeaders;
}

interface Stub {
  url: string;
  close(): Promise<void>;
}

async function serve(server: http.Server): Promise<Stub> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A stand-in service that records what reaches it and serves a small OpenAPI document. */
function upstream(name: string, seen: Seen[]): Promise<Stub> {
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
  return serve(server);
}

type Script = (req: http.IncomingMessage, res: http.ServerResponse, requestsOnSocket: number) => void;

/** A stand-in service whose behaviour each test sets (`script`), knowing how often its socket was used. */
function scripted(current: () => Script): Promise<Stub> {
  const uses = new WeakMap<Socket, number>();
  const server = http.createServer((req, res) => {
    if (req.url === '/api/docs-json') {
      res.statusCode = 404;
      res.end();
      return;
    }
    const n = (uses.get(req.socket) ?? 0) + 1;
    uses.set(req.socket, n);
    current()(req, res, n);
  });
  return serve(server);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => resolve(body));
  });
}

/** Resolves when the service's answer is closed, with whether that was before it was complete. */
function closedEarly(res: http.ServerResponse): Promise<boolean> {
  return new Promise((resolve) => res.on('close', () => resolve(!res.writableFinished)));
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

describe('gateway', () => {
  const seen: Seen[] = [];
  let script: Script = (_req, res) => res.end();
  let app: INestApplication;
  let url: string;
  let gateway: { hostname: string; port: number };
  let stubs: Stub[];
  let db: TestDatabase;
  /** An admin's Authorization header: every call here is admitted, the forwarding is what is tested. */
  let auth: { authorization: string };

  /** fetch to the gateway as the admin. */
  function call(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${url}${path}`, {
      ...init,
      headers: { ...auth, ...(init.headers as Record<string, string>) },
    });
  }

  /** A request on its own connection, with the headers exactly as given (fetch adds and hides some). */
  function send(
    path: string,
    options: { method?: string; headers?: http.OutgoingHttpHeaders; body?: string } = {},
  ): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          ...gateway,
          path,
          method: options.method ?? 'GET',
          headers: { ...auth, ...options.headers },
          agent: false,
        },
        (res) => {
          readBody(res).then(
            (body) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }),
            reject,
          );
        },
      );
      req.on('error', reject);
      req.end(options.body);
    });
  }

  beforeAll(async () => {
    const [customers, invoices, payments] = await Promise.all([
      upstream('customers', seen),
      upstream('invoices', seen),
      scripted(() => script),
    ]);
    stubs = [customers, invoices, payments];
    db = await createGatewayDatabase();
    auth = {
      authorization: `Bearer ${await mintToken(db.url, { subject: 'gateway-spec', roles: ['admin'] })}`,
    };
    const config = loadConfig(
      gatewayConfig,
      {
        DATABASE_URL: db.url,
        CUSTOMERS_URL: customers.url,
        INVOICING_URL: invoices.url,
        PAYMENTS_URL: payments.url,
        NOTIFICATIONS_URL: 'http://127.0.0.1:9', // nothing listens on the discard port
        MAX_BODY_BYTES: '2048',
        MAX_STATEMENT_BYTES: '65536',
        UPSTREAM_TIMEOUT_MS: '1000',
      },
      { service: 'gateway' },
    );
    app = await createGateway(config, testLogger());
    await app.listen(0, '127.0.0.1');
    url = String(await app.getUrl()).replace('[::1]', '127.0.0.1');
    gateway = { hostname: '127.0.0.1', port: Number(new URL(url).port) };
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all(stubs.map((s) => s.close()));
    await db?.drop();
  });

  it('forwards a request with its method, path, query, body and headers to the owning service', async () => {
    const res = await call('/api/v1/customers/erp/42?x=1&note=caf%C3%A9&x=2', {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': 'k-1',
        'x-request-id': 'r-1',
        'x-forwarded-for': '203.0.113.7',
      },
      body: JSON.stringify({ amount: { amount: '10.00', currency: 'CNY' } }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ from: 'customers' });
    const last = seen.at(-1);
    expect(last).toMatchObject({ method: 'PUT', url: '/api/v1/customers/erp/42?x=1&note=caf%C3%A9&x=2' });
    expect(JSON.parse(last?.body ?? '{}')).toEqual({ amount: { amount: '10.00', currency: 'CNY' } });
    expect(last?.headers).toMatchObject({
      'idempotency-key': 'k-1',
      'x-request-id': 'r-1',
      'content-type': 'application/json',
      host: `127.0.0.1:${gateway.port}`,
      'x-forwarded-for': '203.0.113.7,127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': `127.0.0.1:${gateway.port}`,
      'x-forwarded-port': String(gateway.port),
    });
  });

  it('routes by resource', async () => {
    const res = await call('/api/v1/customers/by-source/erp/42');
    expect(await res.json()).toEqual({ from: 'customers' });
    expect(seen.at(-1)?.url).toBe('/api/v1/customers/by-source/erp/42');
    expect(await (await call('/api/v1/invoices/7')).json()).toEqual({ from: 'invoices' });
  });

  it("replaces a caller's own identity header with the identity it admitted, signed", async () => {
    await call('/api/v1/customers/1', {
      headers: { [IDENTITY_HEADER]: 'forged', 'x-other': 'kept' },
    });
    const forwarded = seen.at(-1)?.headers[IDENTITY_HEADER];
    expect(typeof forwarded).toBe('string');
    expect(forwarded).not.toBe('forged');
    const identity = await new InternalIdentity(TEST_IDENTITY_SECRET).verify(String(forwarded));
    expect(identity).toMatchObject({ subject: 'gateway-spec', kind: 'user', roles: ['admin'] });
    expect(seen.at(-1)?.headers['x-other']).toBe('kept');
  });

  it('does not forward the hop-by-hop headers of either connection', async () => {
    const res = await send('/api/v1/customers/erp/1', {
      headers: {
        connection: 'keep-alive, x-hop',
        'keep-alive': 'timeout=99',
        'x-hop': 'this connection only',
        'proxy-authorization': 'Basic c2VjcmV0',
        te: 'trailers',
        trailer: 'x-checksum',
        'transfer-encoding': 'chunked', // node:http allows a Trailer header only with it
        upgrade: 'h2c',
        'x-end-to-end': 'yes',
      },
      method: 'PUT',
      body: '{}',
    });
    expect(res.status).toBe(200);
    const headers: http.IncomingHttpHeaders = seen.at(-1)?.headers ?? {};
    for (const name of ['keep-alive', 'x-hop', 'proxy-authorization', 'te', 'trailer', 'upgrade']) {
      expect(headers[name]).toBeUndefined();
    }
    expect(headers.connection).toBe('keep-alive'); // the gateway's own agent's, not the caller's
    expect(headers['x-end-to-end']).toBe('yes');

    script = (_req, upstreamRes) => {
      upstreamRes.writeHead(200, {
        connection: 'keep-alive, x-hop',
        'keep-alive': 'timeout=99',
        'x-hop': 'service to gateway only',
        'proxy-authenticate': 'Basic',
        upgrade: 'h2c',
        'x-end-to-end': 'yes',
      });
      upstreamRes.end('ok');
    };
    const back = await send('/api/v1/payments/1');
    expect(back.body).toBe('ok');
    for (const name of ['x-hop', 'proxy-authenticate', 'upgrade']) expect(back.headers[name]).toBeUndefined();
    expect(back.headers['keep-alive']).not.toBe('timeout=99');
    expect(back.headers['x-end-to-end']).toBe('yes');
  });

  it("passes the service's status, headers and body through, an error body included", async () => {
    const error = { error: { code: 'IDEMPOTENCY_KEY_REUSED', message: 'another body', details: [] } };
    script = (_req, upstreamRes) => {
      upstreamRes.writeHead(409, 'Conflict', [
        'Content-Type',
        'application/json; charset=utf-8',
        'Set-Cookie',
        'a=1',
        'Set-Cookie',
        'b=2',
        'Idempotent-Replayed',
        'false',
      ]);
      upstreamRes.end(JSON.stringify(error));
    };
    const res = await call('/api/v1/payments?invoiceId=x', { method: 'POST', body: '{}' });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(res.headers.get('idempotent-replayed')).toBe('false');
    expect(await res.json()).toEqual(error);
  });

  it('streams a chunked answer of the service through', async () => {
    script = (_req, upstreamRes) => {
      upstreamRes.writeHead(200, { 'content-type': 'text/csv' });
      upstreamRes.write('a,b\n');
      setTimeout(() => upstreamRes.end('1,2\n'), 20);
    };
    const res = await send('/api/v1/payments/export');
    expect(res).toMatchObject({ status: 200, body: 'a,b\n1,2\n' });
    expect(res.headers['transfer-encoding']).toBe('chunked');
  });

  it('refuses a path that is no operation of the API, signed in or not, in the shared error shape', async () => {
    expect((await fetch(`${url}/api/v1/nothing-here?x=1`)).status).toBe(401);
    const res = await call('/api/v1/nothing-here?x=1');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      error: { code: 'NOT_FOUND', message: 'no API at /api/v1/nothing-here' },
    });
    // A served resource, but no operation of the matrix: refused, never let through.
    const unlisted = await call('/api/v1/customers/a/b/c/d');
    expect(unlisted.status).toBe(403);
    expect(await unlisted.json()).toMatchObject({ error: { code: 'FORBIDDEN', details: [] } });
    expect((await call('/api/v1')).status).toBe(404);
    expect((await call('/api/v2/customers')).status).toBe(404);
  });

  it('refuses an oversized body before forwarding it', async () => {
    const before = seen.length;
    const res = await call('/api/v1/customers/erp/1', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(5000) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(seen.length).toBe(before);
  });

  it('answers 413 to a client still sending a body far over the limit, every time', async () => {
    // The answer goes out before the body is in: closing on unread bytes would reset the socket
    // and the client, still writing, would see EPIPE instead of the 413.
    for (let i = 0; i < 20; i++) {
      const res = await call('/api/v1/customers/erp/1', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }),
      });
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    }
  });

  it('streams a bank statement upload over MAX_BODY_BYTES to payments, up to MAX_STATEMENT_BYTES', async () => {
    script = (req, upstreamRes) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => upstreamRes.end(JSON.stringify({ bytes, url: req.url })));
    };
    const upload = (body: string, path = '/api/v1/bank-statements'): Promise<Response> =>
      call(path, { method: 'POST', headers: { 'content-type': 'text/plain' }, body });
    const res = await upload('x'.repeat(40_000), '/api/v1/bank-statements?format=mt940');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ bytes: 40_000, url: '/api/v1/bank-statements?format=mt940' });
    const tooLarge = await upload('x'.repeat(70_000));
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE', message: 'request body is larger than 65536 bytes' },
    });
    // Only the upload: reading a statement, or any other call, keeps MAX_BODY_BYTES.
    const other = await call('/api/v1/payments', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(5000) }),
    });
    expect(other.status).toBe(413);
  });

  it('refuses a 1 GB statement by its Content-Length at once, without reading it', async () => {
    const req = http.request({
      ...gateway,
      method: 'POST',
      path: '/api/v1/bank-statements',
      headers: { ...auth, 'content-type': 'application/xml', 'content-length': String(1024 ** 3) },
      agent: false,
    });
    req.on('error', () => undefined);
    req.flushHeaders();
    const [res] = (await once(req, 'response')) as [http.IncomingMessage];
    expect(res.statusCode).toBe(413);
    expect(res.headers.connection).toBe('close');
    req.destroy();
  });

  it('refuses a body by its Content-Length without waiting for it', async () => {
    const before = seen.length;
    const req = http.request({
      ...gateway,
      method: 'PUT',
      path: '/api/v1/customers/erp/1',
      headers: { ...auth, 'content-type': 'application/json', 'content-length': '10000000' },
      agent: false,
    });
    req.on('error', () => undefined); // the gateway closes the connection with the body unsent
    req.flushHeaders(); // headers only: the answer must come without one byte of the body
    const [res] = (await once(req, 'response')) as [http.IncomingMessage];
    expect(res.statusCode).toBe(413);
    expect(res.headers.connection).toBe('close');
    expect(JSON.parse(await readBody(res))).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    req.destroy();
    expect(seen.length).toBe(before);
  });

  it('refuses a chunked body once more of it has arrived than the limit', async () => {
    const before = seen.length;
    const req = http.request({
      ...gateway,
      method: 'PUT',
      path: '/api/v1/customers/erp/1',
      headers: { ...auth, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      agent: false,
    });
    req.on('error', () => undefined);
    const response = once(req, 'response') as Promise<[http.IncomingMessage]>;
    req.write('x'.repeat(1500));
    await delay(50);
    req.write('x'.repeat(1500)); // 3000 bytes > 2048, and the body never ends
    const [res] = await response;
    expect(res.statusCode).toBe(413);
    expect(JSON.parse(await readBody(res))).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    req.destroy();
    await delay(50);
    expect(seen.length).toBe(before);
  });

  it('forwards a chunked body under the limit, chunked', async () => {
    const req = http.request({
      ...gateway,
      method: 'PUT',
      path: '/api/v1/customers/erp/7',
      headers: { ...auth, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      agent: false,
    });
    const response = once(req, 'response') as Promise<[http.IncomingMessage]>;
    req.write('{"name":');
    await delay(20);
    req.end('"Chunk Co"}');
    const [res] = await response;
    expect(res.statusCode).toBe(200);
    await readBody(res);
    expect(seen.at(-1)).toMatchObject({ method: 'PUT', body: '{"name":"Chunk Co"}' });
    expect(seen.at(-1)?.headers['transfer-encoding']).toBe('chunked');
  });

  it('answers 502 when the owning service is down', async () => {
    const res = await call('/api/v1/reminders');
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({
      error: {
        code: 'UPSTREAM_UNAVAILABLE',
        message: 'the service behind this path did not answer (ECONNREFUSED)',
        details: [],
      },
    });
  });

  it('answers 504 when the service does not answer in time, and gives up its request', async () => {
    let given: Promise<boolean> | undefined;
    script = (_req, upstreamRes) => {
      given = closedEarly(upstreamRes); // and never answers
    };
    const started = Date.now();
    const res = await call('/api/v1/payments/slow');
    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({ error: { code: 'UPSTREAM_TIMEOUT' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(await given).toBe(true);
  });

  it('cancels the service request of a client that goes away mid-body, and keeps serving', async () => {
    let given: Promise<boolean> | undefined;
    const reached = new Promise<void>((resolve) => {
      script = (_req, upstreamRes) => {
        given = closedEarly(upstreamRes);
        resolve();
      };
    });
    const req = http.request({
      ...gateway,
      method: 'POST',
      path: '/api/v1/payments',
      headers: { ...auth, 'content-type': 'application/json', 'content-length': '1000' },
      agent: false,
    });
    req.on('error', () => undefined);
    req.write('{"pad":"' + 'x'.repeat(100));
    await reached;
    req.destroy();
    expect(await given).toBe(true);
    expect((await call('/api/v1/customers/1')).status).toBe(200);
  });

  it('cancels the service request of a client that goes away while waiting for the answer', async () => {
    let given: Promise<boolean> | undefined;
    const reached = new Promise<void>((resolve) => {
      script = (_req, upstreamRes) => {
        given = closedEarly(upstreamRes);
        resolve();
      };
    });
    const req = http.request({ ...gateway, path: '/api/v1/payments/slow', headers: auth, agent: false });
    req.on('error', () => undefined);
    req.end();
    await reached;
    req.destroy();
    expect(await given).toBe(true);
    expect((await call('/api/v1/customers/1')).status).toBe(200);
  });

  describe('a kept-alive socket the service closes as it is reused', () => {
    const attempts: { method: string; body: string; socketUse: number }[] = [];

    beforeEach(async () => {
      attempts.length = 0;
      // One request first, so that the gateway has a kept-alive socket to the service to reuse.
      script = (_req, upstreamRes) => upstreamRes.end('warm');
      expect((await send('/api/v1/payments/warm')).body).toBe('warm');
      script = (req, upstreamRes, socketUse) => {
        void readBody(req).then((body) => {
          attempts.push({ method: req.method ?? '', body, socketUse });
          if (socketUse > 1) {
            req.socket.destroy(); // no answer: the service "closed" the socket
            return;
          }
          upstreamRes.statusCode = req.method === 'POST' ? 201 : 200;
          upstreamRes.end(body || 'fresh');
        });
      };
    });

    it('is retried once on a fresh socket for an idempotent method', async () => {
      const res = await send('/api/v1/payments/1');
      expect(res).toMatchObject({ status: 200, body: 'fresh' });
      expect(attempts.map((a) => a.socketUse)).toEqual([2, 1]);
    });

    it('is retried with the same body for a request with an Idempotency-Key', async () => {
      const body = JSON.stringify({ channel: 'email' });
      const res = await send('/api/v1/payments', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'k-2' },
        body,
      });
      expect(res).toMatchObject({ status: 201, body });
      expect(attempts).toEqual([
        { method: 'POST', body, socketUse: 2 },
        { method: 'POST', body, socketUse: 1 },
      ]);
    });

    it('is not retried for a POST without an Idempotency-Key', async () => {
      const res = await send('/api/v1/payments', { method: 'POST', body: '{}' });
      expect(res.status).toBe(502);
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'UPSTREAM_UNAVAILABLE' } });
      expect(attempts).toHaveLength(1);
    });
  });

  it('serves one OpenAPI document merged from the services, and Swagger UI', async () => {
    const doc = (await (await fetch(`${url}/api/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
      info: { description: string };
    };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/customers', '/api/v1/invoices']));
    expect(Object.keys(doc.paths)).not.toContain('/api/v1/payments');
    expect(doc.info.description).toContain('notifications');
    const ui = await fetch(`${url}/api/docs/`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });

  it('has its own /health and /metrics, counting what /api/v1 answered', async () => {
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('duemap_process_cpu');
    expect(metrics).toMatch(/duemap_gateway_requests_total\{service="payments",status="201"\} [1-9]/);
    expect(metrics).toMatch(/duemap_gateway_requests_total\{service="notifications",status="502"\} [1-9]/);
  });

  it('answers other paths with the 404 of Nest', async () => {
    const res = await fetch(`${url}/nothing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});
