import type { IncomingMessage, ServerResponse } from 'node:http';
import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import type { Identity } from '@duemap/auth';
import { isAudited } from './audited-calls';
import { clientAddress, CLIENT_CLOSED_REQUEST, entryOfCall, traceIdOf } from './entry-of-call';

function request(
  method: string,
  url: string,
  headers: Record<string, string> = {},
  remoteAddress = '10.0.0.7',
): IncomingMessage {
  return { method, url, headers, socket: { remoteAddress } } as unknown as IncomingMessage;
}

function response(statusCode: number, headersSent = true): ServerResponse {
  return { statusCode, headersSent } as unknown as ServerResponse;
}

describe('isAudited', () => {
  it.each([
    ['PUT', '/api/v1/invoices/sap/1'],
    ['POST', '/api/v1/payments'],
    ['DELETE', '/api/v1/api-keys/k1'],
    ['POST', '/api/v1/nowhere'],
    ['GET', '/api/v1/customers'],
    ['GET', '/api/v1/customers?q=x'],
    ['GET', '/api/v1/customers/0b0e/'],
    ['HEAD', '/api/v1/customers/by-source/sap/1'],
    ['GET', '/api/v1/audit?limit=5'],
    ['GET', '/api/v1/api-keys'],
  ])('records %s %s', (method, url) => {
    expect(isAudited(method, url)).toBe(true);
  });

  it.each([
    ['GET', '/api/v1/invoices'],
    ['GET', '/api/v1/payments/1'],
    ['GET', '/api/v1/customersx'],
    ['OPTIONS', '/api/v1/customers'],
    ['GET', '/api/v1/me'],
  ])('does not record %s %s', (method, url) => {
    expect(isAudited(method, url)).toBe(false);
  });
});

describe('clientAddress', () => {
  const req = request('GET', '/', { 'x-forwarded-for': '6.6.6.6, 203.0.113.9, 10.0.0.2' });

  it("is the socket's peer unless proxies are trusted (a client can send any X-Forwarded-For)", () => {
    expect(clientAddress(req, 0)).toBe('10.0.0.7');
  });

  it('counts trusted proxies from the right of X-Forwarded-For', () => {
    expect(clientAddress(req, 1)).toBe('10.0.0.2');
    expect(clientAddress(req, 2)).toBe('203.0.113.9');
    expect(clientAddress(req, 9)).toBe('6.6.6.6');
    expect(clientAddress(request('GET', '/'), 1)).toBe('10.0.0.7');
  });
});

describe('traceIdOf', () => {
  const traced = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: 'a'.repeat(32),
    spanId: 'b'.repeat(16),
    traceFlags: TraceFlags.SAMPLED,
  });

  it("is the active span's trace id", () => {
    const req = request('GET', '/', { traceparent: `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01` });
    expect(traceIdOf(req, traced)).toBe('a'.repeat(32));
  });

  it("falls back to the caller's traceparent when tracing is off, and ignores a malformed one", () => {
    const ok = request('GET', '/', { traceparent: `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01` });
    expect(traceIdOf(ok, ROOT_CONTEXT)).toBe('c'.repeat(32));
    expect(traceIdOf(request('GET', '/', { traceparent: 'nonsense' }), ROOT_CONTEXT)).toBeNull();
    expect(traceIdOf(request('GET', '/'), ROOT_CONTEXT)).toBeNull();
  });
});

describe('entryOfCall', () => {
  const alice: Identity = { subject: 'alice', kind: 'api-key', roles: ['integration'], keyId: 'k-1' };
  const now = new Date('2026-05-01T08:30:00.123Z');

  it('records who, what and the path parameters of the operation', () => {
    const entry = entryOfCall({
      req: request('PUT', '/api/v1/customers/sap/C%201', { 'user-agent': 'erp\u0000/1' }),
      res: response(201),
      identity: alice,
      operation: undefined,
      trustedProxies: 0,
      now,
    });
    expect(entry).toEqual({
      at: '2026-05-01T08:30:00.123000Z',
      subject: 'alice',
      kind: 'api-key',
      keyId: 'k-1',
      roles: ['integration'],
      method: 'PUT',
      operation: 'PUT /api/v1/customers/{sourceSystem}/{externalId}',
      resource: { sourceSystem: 'sap', externalId: 'C 1' },
      status: 201,
      address: '10.0.0.7',
      userAgent: 'erp/1',
      traceId: null,
    });
  });

  it('records a refused call as anonymous, and a client gone before its answer as 499', () => {
    const entry = entryOfCall({
      req: request('POST', '/api/v1/unknown'),
      res: response(200, false),
      identity: undefined,
      operation: undefined,
      trustedProxies: 0,
      now,
    });
    expect(entry).toMatchObject({
      subject: 'anonymous',
      kind: 'anonymous',
      keyId: null,
      roles: [],
      operation: null,
      resource: {},
      status: CLIENT_CLOSED_REQUEST,
    });
  });
});
