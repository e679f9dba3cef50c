import fs from 'node:fs';
import path from 'node:path';

import { REPO_ROOT } from './paths';
import { isAlive, spawnDetached, stopProcessGroup, waitUntil } from './processes';
import { forgetProcess, recordProcess } from './registry';

/** Fixed ports, so URLs in docs and bookmarks stay valid; other services get 3010 and up. */
export const SERVICE_PORTS: Readonly<Record<string, number>> = {
  gateway: 8080,
  console: 3000,
  customers: 3001,
  geocoding: 3002,
  invoicing: 3003,
  payments: 3004,
  notifications: 3005,
};

const FIRST_EXTRA_PORT = 3010;

/** Every `services/<name>/` with a `src/main.ts`, the gateway last (it fronts the others). */
export function discoverServices(root = REPO_ROOT): string[] {
  const servicesDir = path.join(root, 'services');
  let names: string[];
  try {
    names = fs.readdirSync(servicesDir);
  } catch {
    return [];
  }
  return names
    .filter((name) => fs.existsSync(path.join(servicesDir, name, 'src', 'main.ts')))
    .sort((a, b) => Number(a === 'gateway') - Number(b === 'gateway') || a.localeCompare(b));
}

export function mainFileOf(service: string, root = REPO_ROOT): string {
  return path.join(root, 'services', service, 'src', 'main.ts');
}

export function assignPorts(services: readonly string[]): Record<string, number> {
  const ports: Record<string, number> = {};
  const taken = new Set(Object.values(SERVICE_PORTS));
  let next = FIRST_EXTRA_PORT;
  for (const service of services) {
    const fixed = SERVICE_PORTS[service];
    if (fixed !== undefined) {
      ports[service] = fixed;
      continue;
    }
    while (taken.has(next)) next++;
    ports[service] = next;
    taken.add(next);
  }
  return ports;
}

/** `customers` -> `CUSTOMERS_URL`, how the gateway (or anyone) finds a service over HTTP. */
export function serviceUrlVariable(service: string): string {
  return `${service.toUpperCase().replace(/-/g, '_')}_URL`;
}

export interface ServiceEnvInput {
  service: string;
  ports: Readonly<Record<string, number>>;
  kafkaBrokers: string;
  databaseUrl: string;
  redisUrl: string;
  /** The stack's IDENTITY_SECRET (identity.ts: generated once per checkout); libs/config's default otherwise. */
  identitySecret?: string;
}

/** The variables a service is started with, on top of ours (the names of libs/config's platformShape). */
export function serviceEnv(input: ServiceEnvInput): Record<string, string> {
  const port = input.ports[input.service];
  if (port === undefined) throw new Error(`no port assigned to ${input.service}`);
  const urls = Object.fromEntries(
    Object.entries(input.ports).map(([service, servicePort]) => [
      serviceUrlVariable(service),
      `http://127.0.0.1:${servicePort}`,
    ]),
  );
  return {
    ...urls,
    SERVICE_NAME: input.service,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(port),
    KAFKA_BROKERS: input.kafkaBrokers,
    DATABASE_URL: input.databaseUrl,
    REDIS_URL: input.redisUrl,
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    ...(input.identitySecret === undefined ? {} : { IDENTITY_SECRET: input.identitySecret }),
    ...LOCAL_RATE_LIMITS,
  };
}

/**
 * The gateway's rate limits on a developer machine and in the test stacks: everything comes from
 * 127.0.0.1, and the benchmarks push thousands of requests a second as one principal, so the limits
 * stay on (the same code path) but far above that. A deployment keeps the defaults or sets its own.
 */
export const LOCAL_RATE_LIMITS: Readonly<Record<string, string>> = {
  RATE_LIMIT_PER_ADDRESS: '100000000',
  RATE_LIMIT_PER_PRINCIPAL: '100000000',
  RATE_LIMIT_PER_API_KEY: '100000000',
};

export interface RunningService {
  name: string;
  url: string;
  pid: number;
  logFile: string;
  /** SIGTERM to the service's process group, SIGKILL after 10 s. */
  stop(): Promise<void>;
}

/** `node -r @swc-node/register services/<name>/src/main.ts`, in its own process group, output to its log. */
export async function startService(
  service: string,
  env: Record<string, string>,
  options: { logFile: string; root?: string },
): Promise<RunningService> {
  const root = options.root ?? REPO_ROOT;
  const main = path.relative(root, mainFileOf(service, root));
  const child = await spawnDetached(process.execPath, ['-r', '@swc-node/register', main], {
    cwd: root,
    env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'development', ...env },
    logFile: options.logFile,
  });
  const url = `http://127.0.0.1:${env.HTTP_PORT}`;
  const name = `service-${service}`;
  recordProcess({ name, pid: child.pid, marker: main, logFile: options.logFile, url });
  return {
    name: service,
    url,
    pid: child.pid,
    logFile: options.logFile,
    async stop() {
      await stopProcessGroup(child.pid, { signal: 'SIGTERM', graceMs: 10_000 });
      forgetProcess(name, child.pid);
    },
  };
}

export type HealthOutcome = 'healthy' | 'exited' | 'timeout';

/** Waits for `GET <url>/health` to answer 2xx, giving up early when the process has exited. */
export async function waitForHealth(
  service: RunningService,
  { timeoutMs = 60_000, signal }: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<HealthOutcome> {
  let exited = false;
  const healthy = await waitUntil(
    async () => {
      if (!isAlive(service.pid)) {
        exited = true;
        return true;
      }
      try {
        const response = await fetch(`${service.url}/health`, { signal: AbortSignal.timeout(1_000) });
        return response.ok;
      } catch {
        return false;
      }
    },
    { timeoutMs, intervalMs: 500, signal },
  );
  if (exited) return 'exited';
  return healthy ? 'healthy' : 'timeout';
}
