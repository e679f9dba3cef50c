import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { testEnv } from '@duemap/testing';

interface PrintedSpan {
  name: string;
  kind: SpanKind;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}

describe('startTracing in a service process', () => {
  it('records the HTTP request and the pg query it made in one trace', () => {
    const run = spawnSync(
      process.execPath,
      ['-r', '@swc-node/register', path.join(__dirname, 'fixtures', 'traced-server.ts')],
      {
        cwd: path.resolve(__dirname, '../../..'),
        env: { ...process.env, DATABASE_URL: testEnv.databaseUrl },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const spans = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as PrintedSpan);

    const server = spans.find((s) => s.kind === SpanKind.SERVER);
    expect(server?.name).toMatch(/^GET/);
    const client = spans.find((s) => s.kind === SpanKind.CLIENT && s.name.startsWith('GET'));
    expect(client?.traceId).toBe(server?.traceId);
    expect(server?.parentSpanId).toBe(client?.spanId);

    const query = spans.find((s) => s.name.startsWith('pg.query'));
    expect(query).toBeDefined();
    expect(query?.traceId).toBe(server?.traceId);
    expect(query?.parentSpanId).toBe(server?.spanId);
  });
});
