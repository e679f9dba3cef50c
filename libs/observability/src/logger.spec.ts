import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pinoHttp } from 'pino-http';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { createLogger, httpLogSerializers } from './logger';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  beforeAll(() => context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()));

  it('writes JSON with the service, level label and ISO time', () => {
    const out = capture();
    createLogger({ service: 'payments', destination: out.stream }).info(
      { paymentId: 'p1' },
      'payment stored',
    );
    const [line] = out.lines();
    expect(line).toMatchObject({
      service: 'payments',
      level: 'info',
      msg: 'payment stored',
      paymentId: 'p1',
    });
    expect(String(line?.time)).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(line).not.toHaveProperty('trace_id');
  });

  it('adds the active trace and span ids', () => {
    const out = capture();
    const logger = createLogger({ service: 'payments', destination: out.stream });
    const spanContext = {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
    };
    context.with(trace.setSpanContext(context.active(), spanContext), () => logger.warn('inside a span'));
    expect(out.lines()[0]).toMatchObject({
      trace_id: spanContext.traceId,
      span_id: spanContext.spanId,
      level: 'warn',
    });
  });

  it('logs a request by id, method, path, caller and status, never by its headers', async () => {
    const out = capture();
    const logRequest = pinoHttp({
      logger: createLogger({ service: 'payments', destination: out.stream }),
      serializers: httpLogSerializers,
    });
    const server = http.createServer((req, res) => {
      logRequest(req, res);
      res.statusCode = 201;
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/payments?x=1`, {
        method: 'POST',
        headers: { authorization: 'Bearer secret-token', cookie: 'session=secret-cookie' },
        body: '{}',
      });
      expect(res.status).toBe(201);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const [line] = out.lines();
    expect(line).toMatchObject({
      msg: 'request completed',
      req: { method: 'POST', url: '/api/v1/payments?x=1', remoteAddress: '127.0.0.1' },
      res: { statusCode: 201 },
    });
    expect(Object.keys(line?.req as object).sort()).toEqual(['id', 'method', 'remoteAddress', 'url']);
    expect(JSON.stringify(line)).not.toMatch(/secret|authorization|cookie/i);
  });

  it('redacts credentials and personal data wherever they appear in a logged object', () => {
    const out = capture();
    const logger = createLogger({ service: 'gateway', destination: out.stream }).child({
      component: 'test',
      apiKey: 'child-binding-key',
    });
    const customer = {
      id: 'c1',
      name: 'Acme Trading',
      taxId: '91310000MA1FL0000X',
      contacts: [{ name: 'Li Wei', phone: '+86 138 0000 0000', email: 'li@example.cn' }],
      address: { line1: '88 Century Avenue', postcode: '200120', province: 'Shanghai' },
    };
    const original = JSON.stringify(customer);
    logger.info(
      {
        headers: {
          authorization: 'Bearer secret-bearer',
          cookie: 'session=secret-cookie',
          'set-cookie': ['sid=secret-set-cookie'],
          'x-api-key': 'secret-api-key',
          'x-duemap-identity': 'secret-identity',
          accept: 'application/json',
        },
        body: { password: 'secret-password', refresh_token: 'secret-refresh', clientSecret: 'secret-client' },
        config: { key: 'secret-key', IDENTITY_SECRET: 'secret-identity-secret' },
        customers: [customer],
      },
      'logged',
    );
    const [line] = out.lines();
    const text = JSON.stringify(line);
    expect(text).not.toMatch(/secret-|child-binding-key|91310000|138 0000|li@example|Century|200120/);
    expect(line).toMatchObject({
      component: 'test',
      apiKey: '[redacted]',
      headers: { authorization: '[redacted]', 'x-api-key': '[redacted]', accept: 'application/json' },
      body: { password: '[redacted]', refresh_token: '[redacted]' },
      customers: [
        {
          id: 'c1',
          name: 'Acme Trading',
          taxId: '[redacted]',
          contacts: '[redacted]',
          address: { line1: '[redacted]', postcode: '[redacted]', province: 'Shanghai' },
        },
      ],
    });
    // The caller's object is not changed by logging it.
    expect(JSON.stringify(customer)).toBe(original);
  });
});
