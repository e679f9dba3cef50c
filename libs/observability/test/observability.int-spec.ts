import { Controller, Get, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { createTestDatabase, type TestDatabase } from '@duemap/testing';
import pino from 'pino';
import { ObservabilityModule } from '../src';

@Controller('ping')
class PingController {
  @Get()
  ping(): { pong: true } {
    return { pong: true };
  }
}

async function boot(
  imports: Parameters<typeof Test.createTestingModule>[0]['imports'],
): Promise<{ app: INestApplication; url: string }> {
  const moduleRef = await Test.createTestingModule({ imports, controllers: [PingController] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

describe('ObservabilityModule in a Nest app', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    db = await createTestDatabase('observability');
    ({ app, url } = await boot([
      TypeOrmModule.forRoot({ type: 'postgres', url: db.url }),
      ObservabilityModule.forService({ logger: pino({ level: 'silent' }), database: true }),
    ]));
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('serves /health with the database check', async () => {
    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
  });

  it('serves /health/live without touching dependencies', async () => {
    const res = await fetch(`${url}/health/live`);
    expect(res.status).toBe(200);
  });

  it('serves Prometheus metrics', async () => {
    await fetch(`${url}/ping`);
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const body = await res.text();
    expect(body).toContain('duemap_process_cpu_user_seconds_total');
    expect(body).toContain('duemap_nodejs_eventloop_lag_seconds');
  });

  it('reports 503 naming the database when it is gone', async () => {
    await db.drop();
    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { status: string; error: Record<string, unknown> };
    expect(body.status).toBe('error');
    expect(body.error).toHaveProperty('database');
  });
});
