import type { IncomingMessage } from 'node:http';
import { apiSecurityHeaders, downstreamResponseHeaders, upstreamRequestHeaders } from './forward-headers';

function request(
  headers: Record<string, string>,
  remoteAddress = '10.0.0.5',
  encrypted = false,
): IncomingMessage {
  return { headers, socket: { remoteAddress, encrypted } } as unknown as IncomingMessage;
}

describe('upstreamRequestHeaders', () => {
  it('keeps end-to-end headers and the Host, and adds x-forwarded-*', () => {
    const headers = upstreamRequestHeaders(
      request({ host: 'api.duemap.test:8080', 'content-type': 'application/json', 'idempotency-key': 'k' }),
    );
    expect(headers).toEqual({
      host: 'api.duemap.test:8080',
      'content-type': 'application/json',
      'idempotency-key': 'k',
      'x-forwarded-for': '10.0.0.5',
      'x-forwarded-port': '8080',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'api.duemap.test:8080',
    });
  });

  it('appends to the x-forwarded-* a caller sent, and keeps its x-forwarded-host', () => {
    const headers = upstreamRequestHeaders(
      request(
        {
          host: 'api.duemap.test',
          'x-forwarded-for': '203.0.113.7',
          'x-forwarded-proto': 'https',
          'x-forwarded-port': '443',
          'x-forwarded-host': 'duemap.example',
        },
        '10.0.0.9',
        true,
      ),
    );
    expect(headers).toMatchObject({
      'x-forwarded-for': '203.0.113.7,10.0.0.9',
      'x-forwarded-proto': 'https,https',
      'x-forwarded-port': '443,443',
      'x-forwarded-host': 'duemap.example',
    });
  });

  it('drops hop-by-hop headers, those the Connection header names, and Expect', () => {
    const headers = upstreamRequestHeaders(
      request({
        host: 'h',
        connection: 'Keep-Alive, X-Hop',
        'keep-alive': 'timeout=5',
        'x-hop': '1',
        'proxy-authorization': 'Basic x',
        'proxy-connection': 'keep-alive',
        te: 'trailers',
        trailer: 'x-sum',
        upgrade: 'h2c',
        expect: '100-continue',
        accept: '*/*',
      }),
    );
    expect(Object.keys(headers).filter((name) => !name.startsWith('x-forwarded-'))).toEqual([
      'host',
      'accept',
    ]);
  });

  it('re-frames a chunked body as chunked, whatever the caller wrote', () => {
    expect(upstreamRequestHeaders(request({ 'transfer-encoding': 'Chunked' }))['transfer-encoding']).toBe(
      'chunked',
    );
    expect(upstreamRequestHeaders(request({ 'content-length': '3' }))['transfer-encoding']).toBeUndefined();
  });
});

describe('downstreamResponseHeaders', () => {
  it('keeps names as sent and repeated headers, without the hop-by-hop ones', () => {
    expect(
      downstreamResponseHeaders([
        'Content-Type',
        'application/json',
        'Set-Cookie',
        'a=1',
        'Set-Cookie',
        'b=2',
        'Connection',
        'keep-alive, X-Internal',
        'Keep-Alive',
        'timeout=65',
        'X-Internal',
        'secret',
        'Transfer-Encoding',
        'chunked',
        'Proxy-Authenticate',
        'Basic',
        'Idempotent-Replayed',
        'true',
      ]),
    ).toEqual([
      'Content-Type',
      'application/json',
      'Set-Cookie',
      'a=1',
      'Set-Cookie',
      'b=2',
      'Idempotent-Replayed',
      'true',
    ]);
  });
});

describe('apiSecurityHeaders', () => {
  it('adds nosniff, no referrer, no framing, no-store, and HSTS only when configured', () => {
    const plain = Object.fromEntries(apiSecurityHeaders(0));
    expect(plain).toMatchObject({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
    });
    expect(plain['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(plain).not.toHaveProperty('strict-transport-security');
    expect(Object.fromEntries(apiSecurityHeaders(31_536_000))['strict-transport-security']).toBe(
      'max-age=31536000; includeSubDomains',
    );
  });

  it('keeps what the service sent and adds the rest to its answer', () => {
    const headers = downstreamResponseHeaders(
      ['Content-Type', 'application/json', 'Cache-Control', 'max-age=60'],
      apiSecurityHeaders(0),
    );
    expect(headers.filter((_, i) => i % 2 === 0).map((h) => h.toLowerCase())).toEqual([
      'content-type',
      'cache-control',
      'x-content-type-options',
      'referrer-policy',
      'x-frame-options',
      'content-security-policy',
    ]);
    expect(headers[3]).toBe('max-age=60');
  });
});
