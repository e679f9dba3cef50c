/**
 * `npm run scale -- payments=2 invoicing=2 customers=2 geocoding=2 notifications=2`: runs that many
 * instances of each service on the local stack (the one `npm start` runs, or the stores named by
 * KAFKA_BROKERS / DATABASE_URL / REDIS_URL). The instance `npm start` started is the first; the
 * others get free ports, log to .run/logs/<service>-<n>.log and share its database and consumer
 * group, so Kafka splits the group's partitions between them (no more consumers than partitions
 * do work: KAFKA_PARTITIONS). A smaller number stops the extra ones; `npm stop` stops them all.
 */
import path from 'node:path';

import { localIdentitySecret } from './identity';
import { logFileFor, REPO_ROOT } from './paths';
import { databaseUrl, serviceDatabaseName } from './postgres';
import { freePort, isAlive, spawnDetached, waitUntil } from './processes';
import { forgetProcess, listProcesses, recordProcess, setOwnerCommand, stopRecorded } from './registry';
import { assignPorts, discoverServices, mainFileOf, serviceEnv } from './services';
import { readStack } from './stack';
import { topicPartitions } from './topics';
import { say, table } from './ui';

export const MAX_INSTANCES = 16;

export class ScaleUsageError extends Error {}

/** `payments=2 invoicing=3` -> {payments: 2, invoicing: 3}, each a known service, 1..MAX_INSTANCES. */
export function parseScaleArgs(args: readonly string[], services: readonly string[]): Map<string, number> {
  const wanted = new Map<string, number>();
  for (const arg of args) {
    const match = /^([a-z][a-z0-9-]*)=([0-9]{1,3})$/.exec(arg);
    if (!match) throw new ScaleUsageError(`"${arg}" is not <service>=<instances>, e.g. payments=2`);
    const [, service = '', count = ''] = match;
    if (!services.includes(service)) {
      throw new ScaleUsageError(`unknown service "${service}" (one of ${services.join(', ')})`);
    }
    const instances = Number(count);
    if (instances < 1 || instances > MAX_INSTANCES) {
      throw new ScaleUsageError(`${service}=${count}: between 1 and ${MAX_INSTANCES} instances`);
    }
    if (wanted.has(service)) throw new ScaleUsageError(`${service} is named twice`);
    wanted.set(service, instances);
  }
  if (wanted.size === 0)
    throw new ScaleUsageError('nothing to scale: name services, e.g. payments=2 invoicing=2');
  return wanted;
}

/** The record name of a service's n-th instance (n ≥ 2; the first is `npm start`'s `service-<name>`). */
export function instanceName(service: string, n: number): string {
  return `service-${service}-${n}`;
}

function extraInstances(service: string): { n: number; record: ReturnType<typeof listProcesses>[number] }[] {
  const pattern = new RegExp(`^service-${service}-([0-9]+)$`);
  return listProcesses()
    .map((record) => ({ n: Number(pattern.exec(record.name)?.[1] ?? NaN), record }))
    .filter((entry) => Number.isInteger(entry.n))
    .sort((a, b) => a.n - b.n);
}

async function healthy(url: string, pid: number, timeoutMs = 90_000): Promise<boolean> {
  let ok = false;
  await waitUntil(
    async () => {
      if (!isAlive(pid)) return true;
      try {
        ok = (await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) })).ok;
      } catch {
        ok = false;
      }
      return ok;
    },
    { timeoutMs, intervalMs: 500 },
  );
  return ok && isAlive(pid);
}

export async function scale(args: readonly string[]): Promise<number> {
  setOwnerCommand('scale');
  const services = discoverServices();
  const wanted = parseScaleArgs(args, services);
  const stack = readStack()?.env;
  const env = {
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? stack?.KAFKA_BROKERS ?? '127.0.0.1:9092',
    DATABASE_URL:
      process.env.DATABASE_URL ?? stack?.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    REDIS_URL: process.env.REDIS_URL ?? stack?.REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
  const partitions = topicPartitions();
  const ports = assignPorts(services);
  const rows: string[][] = [['service', 'instance', 'pid', 'url', 'state']];
  let failed = 0;
  for (const [service, instances] of wanted) {
    if (instances > partitions) {
      say(
        `! ${service}=${instances}: topics have ${partitions} partitions (KAFKA_PARTITIONS), so ${instances - partitions} will idle`,
      );
    }
    const extras = extraInstances(service);
    for (const { n, record } of extras.filter((entry) => entry.n > instances)) {
      say(`… stopping ${service} #${n} (pid ${record.pid})`);
      await stopRecorded(record);
      rows.push([service, `#${n}`, String(record.pid), record.url ?? '', 'stopped']);
    }
    const running = new Set(extras.filter((entry) => entry.n <= instances).map((entry) => entry.n));
    for (let n = 2; n <= instances; n++) {
      if (running.has(n)) {
        const record = extras.find((entry) => entry.n === n)?.record;
        rows.push([service, `#${n}`, String(record?.pid ?? ''), record?.url ?? '', 'already running']);
        continue;
      }
      const port = await freePort();
      const instanceEnv = {
        ...serviceEnv({
          service,
          ports,
          kafkaBrokers: env.KAFKA_BROKERS,
          databaseUrl: databaseUrl(env.DATABASE_URL, serviceDatabaseName(service)),
          redisUrl: env.REDIS_URL,
          identitySecret: localIdentitySecret(),
        }),
        HTTP_PORT: String(port),
      };
      const main = path.relative(REPO_ROOT, mainFileOf(service));
      const logFile = logFileFor(`${service}-${n}`);
      say(`… starting ${service} #${n} on :${port}`);
      const child = await spawnDetached(process.execPath, ['-r', '@swc-node/register', main], {
        cwd: REPO_ROOT,
        env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'development', ...instanceEnv },
        logFile,
      });
      const url = `http://127.0.0.1:${port}`;
      recordProcess({ name: instanceName(service, n), pid: child.pid, marker: main, logFile, url });
      const ok = await healthy(url, child.pid);
      if (!ok) {
        failed++;
        if (!isAlive(child.pid)) forgetProcess(instanceName(service, n), child.pid);
      }
      rows.push([
        service,
        `#${n}`,
        String(child.pid),
        url,
        ok ? 'healthy' : `NOT HEALTHY: see ${path.relative(REPO_ROOT, logFile)}`,
      ]);
    }
  }
  say(table(rows));
  say('Consumer groups rebalance in a few seconds; `npm stop` stops every instance.');
  return failed === 0 ? 0 : 1;
}

if (require.main === module) {
  scale(process.argv.slice(2).filter((arg) => arg !== '--')).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      say(
        error instanceof ScaleUsageError
          ? `npm run scale: ${error.message}`
          : String((error as Error).stack ?? error),
      );
      process.exitCode = error instanceof ScaleUsageError ? 64 : 1;
    },
  );
}
