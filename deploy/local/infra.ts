import { SetupError } from './errors';
import { ensureKafka } from './kafka';
import { findMigrationTargets, runServiceMigrations, type MigrationResult } from './migrations';
import { ensurePostgres, ensureServiceDatabases, redactUrl } from './postgres';
import { ensureRedis } from './redis';
import { discoverServices } from './services';
import { createTopics, type CreatedTopics } from './topics';

/** What every child process (services, tests, benches) is told about the stores. */
export interface InfraEnv {
  KAFKA_BROKERS: string;
  DATABASE_URL: string;
  REDIS_URL: string;
}

export type InfraSource = 'env' | 'local' | 'started' | 'reused';

export interface InfraPart {
  name: 'kafka' | 'postgres' | 'redis';
  url: string;
  source: InfraSource;
  pid?: number;
  /** Present only for what this run started. */
  stop?: () => Promise<void>;
}

export interface Infra {
  env: InfraEnv;
  parts: InfraPart[];
  /** Stops what this run started (Kafka, then Postgres, then Redis) and nothing else. Idempotent. */
  stop(): Promise<void>;
  /** Stops one part early if this run started it (stop() then leaves it be). */
  stopPart(name: InfraPart['name']): Promise<void>;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/**
 * Kafka, Postgres and Redis, each found or started in parallel (resolution order in each module:
 * configured URL, a server already running locally, started by us). If one cannot be had, the
 * others that this call started are stopped again before the error is thrown.
 */
export async function ensureInfra(options: { signal?: AbortSignal } = {}): Promise<Infra> {
  const controller = new AbortController();
  const abort = (): void => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', abort, { once: true });
  const failFast = <T>(promise: Promise<T>): Promise<T> =>
    promise.catch((error: unknown) => {
      controller.abort(error);
      throw error;
    });
  const signal = controller.signal;
  const settled = await Promise.allSettled([
    failFast(
      ensureKafka({ signal }).then(({ brokers, ...k }): InfraPart => ({ name: 'kafka', url: brokers, ...k })),
    ),
    failFast(ensurePostgres({ signal }).then((p): InfraPart => ({ name: 'postgres', ...p }))),
    failFast(ensureRedis({ signal }).then((r): InfraPart => ({ name: 'redis', ...r }))),
  ]);
  options.signal?.removeEventListener('abort', abort);

  const parts = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      for (const part of parts) await part.stop?.();
    })());

  const errors = settled.flatMap((result) =>
    result.status === 'rejected' ? [result.reason as unknown] : [],
  );
  if (errors.length > 0) {
    await stop();
    // The first real cause, not the aborts it triggered in the others; a SetupError if there is one.
    const causes = errors.filter((error) => !isAbort(error));
    throw causes.find((error) => error instanceof SetupError) ?? causes[0] ?? errors[0];
  }

  const url = (name: InfraPart['name']): string => parts.find((part) => part.name === name)?.url ?? '';
  const stopPart = async (name: InfraPart['name']): Promise<void> => {
    const part = parts.find((p) => p.name === name);
    const stopIt = part?.stop;
    if (!part || !stopIt) return;
    delete part.stop;
    await stopIt();
  };
  return {
    env: { KAFKA_BROKERS: url('kafka'), DATABASE_URL: url('postgres'), REDIS_URL: url('redis') },
    parts,
    stop,
    stopPart,
  };
}

export interface PreparedStores {
  /** Service -> its database URL. */
  databases: Record<string, string>;
  migrations: MigrationResult[];
  topics: CreatedTopics;
}

/** One database per service, their migrations, and every topic with its DLQ. */
export async function prepareStores(
  env: InfraEnv,
  options: { signal?: AbortSignal } = {},
): Promise<PreparedStores> {
  const services = new Set([
    ...discoverServices(),
    ...findMigrationTargets().map((target) => target.service),
  ]);
  const [databases, topics] = await Promise.all([
    ensureServiceDatabases(env.DATABASE_URL, [...services]),
    createTopics(env.KAFKA_BROKERS),
  ]);
  const migrations = await runServiceMigrations(env.DATABASE_URL, { signal: options.signal });
  return { databases, migrations, topics };
}

const SOURCE_LABEL: Record<InfraSource, string> = {
  env: 'from the environment',
  local: 'already running locally',
  started: 'started by us',
  reused: 'ours, already running',
};

export function describePart(part: InfraPart): string {
  const url = part.name === 'kafka' ? part.url : redactUrl(part.url);
  return `${url} (${SOURCE_LABEL[part.source]}${part.pid ? `, pid ${part.pid}` : ''})`;
}

/** `KEY=value` lines, ready for `export $(...)` or an .env file. */
export function envLines(env: InfraEnv): string {
  return Object.entries(env)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');
}
