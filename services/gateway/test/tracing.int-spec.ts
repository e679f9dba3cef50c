import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { SpanKind } from '@opentelemetry/api';

interface PrintedSpan {
  name: string;
  kind: SpanKind;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}

interface Printed {
  statuses: number[];
  received: { url: string; traceparent?: string }[];
  spans: PrintedSpan[];
}

describe('the gateway under tracing', () => {
  let printed: Printed;

  beforeAll(() => {
    const run = spawnSync(
      process.execPath,
      ['-r', '@swc-node/register', path.join(__dirname, 'fixtures', 'traced-gateway.ts')],
      { cwd: path.resolve(__dirname, '../../..'), encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    printed = JSON.parse(run.stdout) as Printed;
    expect(printed.statuses).toEqual([200, 200]);
  });

  /** The gateway's server span for the caller's span, and the client spans made inside it. */
  function hops(callerSpanId: string): { server?: PrintedSpan; clients: PrintedSpan[] } {
    const server = printed.spans.find((s) => s.kind === SpanKind.SERVER && s.parentSpanId === callerSpanId);
    const clients = printed.spans.filter(
      (s) => s.kind === SpanKind.CLIENT && s.parentSpanId === server?.spanId,
    );
    return { server, clients };
  }

  it("continues the caller's trace to the service, through a span of the gateway", () => {
    const { server, clients } = hops('a'.repeat(16));
    expect(server?.traceId).toBe('1'.repeat(32));
    expect(clients).toHaveLength(1);
    expect(printed.received[0]).toEqual({
      url: '/api/v1/payments/1',
      traceparent: `00-${'1'.repeat(32)}-${clients[0]?.spanId}-01`,
    });
  });

  it('keeps the trace on a retry opened from the failed socket', () => {
    const { server, clients } = hops('b'.repeat(16));
    expect(server?.traceId).toBe('2'.repeat(32));
    expect(clients).toHaveLength(2);
    const flaky = printed.received.filter((r) => r.url === '/api/v1/payments/flaky');
    expect(flaky.map((r) => r.traceparent).sort()).toEqual(
      clients.map((c) => `00-${'2'.repeat(32)}-${c.spanId}-01`).sort(),
    );
  });
});
