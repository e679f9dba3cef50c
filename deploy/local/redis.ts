import Redis from 'ioredis';

import { SetupError } from './errors';
import { RUN_DIR, displayPath, logFileFor } from './paths';
import { isAlive, portIsFree, spawnDetached, stopProcessGroup, tailFile, waitUntil } from './processes';
import { findProcess, forgetProcess, recordProcess } from './registry';
import { redactUrl } from './postgres';

export const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_REDIS_PORT = 6380;

const INSTALL_REDIS =
  'install Redis 6 or newer (e.g. `sudo apt-get install redis-server` or `brew install redis`), or set REDIS_URL to a server you run.';

/** Whether a Redis server answers PING at this URL (auth and TLS as the URL says). */
export async function redisAnswers(url: string, timeoutMs = 2_000): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export interface StartRedisOptions {
  /** Default 6380, next to a system Redis on 6379. */
  port?: number;
  logFile?: string;
  signal?: AbortSignal;
}

export interface RedisServer {
  url: string;
  pid: number;
  reused: boolean;
  stop(): Promise<void>;
}

/** `redis-server` from the PATH, in memory only (no RDB, no AOF): a cache and queue for development. */
export async function startRedisServer(options: StartRedisOptions = {}): Promise<RedisServer> {
  const port = options.port ?? DEFAULT_REDIS_PORT;
  const logFile = options.logFile ?? logFileFor('redis');
  const name = `redis-${port}`;
  const url = `redis://127.0.0.1:${port}`;
  const handle = (pid: number, reused: boolean): RedisServer => ({
    url,
    pid,
    reused,
    async stop() {
      await stopProcessGroup(pid, { signal: 'SIGTERM', graceMs: 10_000 });
      forgetProcess(name, pid);
    },
  });

  const running = findProcess(name);
  if (running) {
    await waitForRedis(url, running.pid, logFile, options.signal);
    return handle(running.pid, true);
  }
  if (!(await portIsFree(port))) {
    throw new SetupError(
      `Port ${port} is taken by another program, so redis-server cannot start there; set REDIS_URL instead.`,
    );
  }
  let pid: number;
  try {
    const child = await spawnDetached(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
      ],
      { logFile, cwd: RUN_DIR },
    );
    pid = child.pid;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new SetupError(
        `There is no Redis to use and \`redis-server\` is not on the PATH; ${INSTALL_REDIS}`,
      );
    }
    throw error;
  }
  recordProcess({ name, pid, marker: 'redis-server', logFile, url });
  const server = handle(pid, false);
  try {
    await waitForRedis(url, pid, logFile, options.signal);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

async function waitForRedis(
  url: string,
  pid: number,
  logFile: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const ready = await waitUntil(
    async () => {
      if (!isAlive(pid)) {
        throw new SetupError(
          `redis-server stopped while starting; the last lines of ${displayPath(logFile)}:\n${tailFile(logFile)}`,
        );
      }
      return redisAnswers(url, 500);
    },
    { timeoutMs: 15_000, intervalMs: 100, signal },
  );
  if (!ready)
    throw new SetupError(`redis-server did not answer at ${url} within 15 s; see ${displayPath(logFile)}.`);
}

export interface RedisConnection {
  url: string;
  /** env: REDIS_URL; local: a server on 127.0.0.1:6379; started/reused: our redis-server. */
  source: 'env' | 'local' | 'started' | 'reused';
  pid?: number;
  /** Present when this call started the server: the caller stops it. */
  stop?: () => Promise<void>;
}

/**
 * The stack's Redis: REDIS_URL, else a server on 127.0.0.1:6379, else our own redis-server.
 * DUEMAP_STORES=embedded skips the first two.
 */
export async function ensureRedis(options: { signal?: AbortSignal } = {}): Promise<RedisConnection> {
  const forceOwn = process.env.DUEMAP_STORES === 'embedded';
  const configured = process.env.REDIS_URL?.trim();
  if (configured && !forceOwn) {
    if (!(await redisAnswers(configured, 10_000))) {
      throw new SetupError(
        `REDIS_URL is ${redactUrl(configured)} but no Redis answers there; start it, or unset REDIS_URL and Duemap finds or starts one.`,
      );
    }
    return { url: configured, source: 'env' };
  }
  if (!forceOwn && (await redisAnswers(LOCAL_REDIS_URL))) return { url: LOCAL_REDIS_URL, source: 'local' };
  const server = await startRedisServer({ signal: options.signal });
  return server.reused
    ? { url: server.url, source: 'reused', pid: server.pid }
    : { url: server.url, source: 'started', pid: server.pid, stop: () => server.stop() };
}
