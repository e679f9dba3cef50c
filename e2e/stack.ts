import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, isAlive, spawnDetached, stopProcessGroup } from '@duemap/local-stack/processes';
import { startRedisServer, type RedisServer } from '@duemap/local-stack/redis';
import { LOCAL_RATE_LIMITS } from '@duemap/local-stack/services';
import { topicPartitions } from '@duemap/local-stack/topics';
import {
  createTestDatabase,
  startPrivateKafka,
  startProxiedKafka,
  testEnv,
  type KafkaProxy,
  type PrivateKafka,
  type ProxiedKafka,
  type TestDatabase,
} from '@duemap/testing';
import type { Role, Territory } from '@duemap/auth';
import type { DataSource } from 'typeorm';
import { createDataSource as gatewayDataSource } from '../services/gateway/src/database/data-source';
import { mintToken } from '../services/gateway/src/identity/mint-token';
import { createDataSource as customersDataSource } from '../services/customers/src/database/data-source';
import { createDataSource as geocodingDataSource } from '../services/geocoding/src/database/data-source';
import { createDataSource as invoicingDataSource } from '../services/invoicing/src/database/data-source';
import { createDataSource as notificationsDataSource } from '../services/notifications/src/database/data-source';
import { createDataSource as paymentsDataSource } from '../services/payments/src/database/data-source';

export const BACKEND_SERVICES = ['customers', 'geocoding', 'invoicing', 'payments', 'notifications'] as const;
export type BackendService = (typeof BACKEND_SERVICES)[number];
/** Every process of the stack with a database of its own: the services and the gateway (its issuer, API keys, audit trail). */
export type StackDatabase = BackendService | 'gateway';

const DATA_SOURCES: Record<StackDatabase, (url: string) => DataSource> = {
  gateway: gatewayDataSource,
  customers: customersDataSource,
  geocoding: geocodingDataSource,
  invoicing: invoicingDataSource,
  payments: paymentsDataSource,
  notifications: notificationsDataSource,
};

const ROOT = path.resolve(__dirname, '..');
/** The fault suite and the benchmark run for tens of minutes on one token. */
const TOKEN_TTL_SECONDS = 6 * 3600;

export interface StackProcess {
  name: string;
  url: string;
  pid: number;
  logFile: string;
  /** Kill with a signal (SIGKILL to crash it) and wait until the process group is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Start it again with the same port, database and environment; resolves when healthy. */
  restart(): Promise<void>;
}

/** The stack's broker, for fault tests: stop and start it again, or freeze it. */
export interface StackBroker {
  /** The broker process (it changes when the broker is started again). */
  readonly pid: number;
  /** The proxy every client connection goes through (`kafka: 'proxied'` only). */
  readonly proxy?: KafkaProxy;
  /** Controlled shutdown; resolves once the process is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data (`kafka: 'proxied'` only); resolves when it answers. */
  start(): Promise<void>;
  /** SIGSTOP: the broker keeps its sockets open and answers nothing, as in a long GC pause or a frozen VM. */
  pause(): void;
  /** SIGCONT after `pause`. */
  resume(): void;
}

/** Who a test calls as: a user of the stack's own issuer with these roles. */
export interface StackCaller {
  roles: Role[];
  /** Default: `e2e-<roles>`. */
  subject?: string;
  /** A collector's territory (claim `duemap_territory`). */
  territory?: Territory;
  /** Default: long enough for the longest suite (the fault suite runs for tens of minutes). */
  ttlSeconds?: number;
}

export interface Stack {
  gatewayUrl: string;
  kafka: PrivateKafka;
  broker: StackBroker;
  /** The Redis the services use (the test Redis unless `redis: 'private'`). */
  redisUrl: string;
  /** Prefix of the stack's BullMQ keys (QUEUE_PREFIX). */
  queuePrefix: string;
  databases: Record<StackDatabase, TestDatabase>;
  /** A bearer token of the gateway's own issuer (AUTH_ISSUER is the gateway's URL). */
  token(caller: StackCaller): Promise<string>;
  services: Record<BackendService | 'gateway', StackProcess>;
  logDir: string;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Extra environment for every service (e.g. OVERDUE_SCAN_INTERVAL). */
  env?: Record<string, string>;
  /** Partitions per topic; default KAFKA_PARTITIONS, as `npm start` creates them. */
  partitions?: number;
  /**
   * 'private' (default): a broker of the stack's own. 'proxied': the same behind a TCP proxy that
   * every client connection goes through (dropped produce responses), and a broker that can be
   * stopped and started again on the same ports and data.
   */
  kafka?: 'private' | 'proxied';
  /** 'shared' (default): the test Redis, keys under a private prefix. 'private': a redis-server of the stack's own, which a test may flush. */
  redis?: 'shared' | 'private';
}

function brokerControl(kafka: PrivateKafka | ProxiedKafka): StackBroker {
  const proxied = 'proxy' in kafka ? kafka : undefined;
  const signalGroup = (signal: NodeJS.Signals): void => {
    // The broker leads its own process group (spawnDetached): the JVM and anything it forked.
    process.kill(-kafka.broker.pid, signal);
  };
  return {
    get pid() {
      return kafka.broker.pid;
    },
    proxy: proxied?.proxy,
    async stop() {
      await kafka.broker.stop();
    },
    async start() {
      if (!proxied) throw new Error("restarting the broker needs startStack({ kafka: 'proxied' })");
      await proxied.startBroker();
    },
    pause: () => signalGroup('SIGSTOP'),
    resume: () => signalGroup('SIGCONT'),
  };
}

async function waitHealthy(
  proc: { url: string; pid: number; logFile: string; name: string },
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(proc.pid)) {
      throw new Error(`${proc.name} exited while starting; its log:\n${tail(proc.logFile)}`);
    }
    try {
      const res = await fetch(`${proc.url}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${proc.name} was not healthy after ${timeoutMs} ms; its log:\n${tail(proc.logFile)}`);
}

function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * The whole platform as separate processes, isolated from everything else on the machine: a
 * private Kafka broker (optionally behind a proxy), fresh databases (migrated) on the test
 * Postgres, a private queue prefix on the test Redis (or a private redis-server), every service
 * and the gateway on free ports. For end-to-end specs, benchmarks and fault tests.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duemap-stack-'));
  const partitions = options.partitions ?? topicPartitions();
  const kafka =
    options.kafka === 'proxied'
      ? await startProxiedKafka({ partitions, logDir })
      : await startPrivateKafka({ partitions, logDir });
  const broker = brokerControl(kafka);
  let redis: RedisServer | undefined;
  const started: StackProcess[] = [];
  const databases = {} as Record<StackDatabase, TestDatabase>;
  const stop = async (): Promise<void> => {
    await Promise.all(started.map((p) => p.kill('SIGTERM')));
    // A broker a test left paused would only take SIGTERM once it runs again.
    if (isAlive(broker.pid)) broker.resume();
    await kafka.stop();
    await redis?.stop();
    await Promise.all(Object.values(databases).map((db) => db.drop().catch(() => undefined)));
    // Service logs are for a failing run (waitHealthy prints their tail); DUEMAP_KEEP_LOGS=1 keeps them.
    if (process.env.DUEMAP_KEEP_LOGS !== '1') fs.rmSync(logDir, { recursive: true, force: true });
  };
  try {
    if (options.redis === 'private') {
      redis = await startRedisServer({ port: await freePort(), logFile: path.join(logDir, 'redis.log') });
    }
    const redisUrl = redis?.url ?? testEnv.redisUrl;
    for (const service of [...BACKEND_SERVICES, 'gateway'] as const) {
      const db = await createTestDatabase(`e2e_${service}`);
      databases[service] = db;
      const ds = DATA_SOURCES[service](db.url);
      await ds.initialize();
      try {
        await ds.runMigrations({ transaction: 'each' });
      } finally {
        await ds.destroy();
      }
    }
    const ports = {} as Record<BackendService | 'gateway', number>;
    for (const name of [...BACKEND_SERVICES, 'gateway'] as const) ports[name] = await freePort();
    const urls = Object.fromEntries(
      BACKEND_SERVICES.map((s) => [`${s.toUpperCase()}_URL`, `http://127.0.0.1:${ports[s]}`]),
    );
    // The gateway is the stack's issuer: it publishes its keys, the services may verify its tokens.
    const issuer = `http://127.0.0.1:${ports.gateway}`;
    const queuePrefix = `e2e-${path.basename(logDir)}`;
    const launch = async (name: BackendService | 'gateway'): Promise<StackProcess> => {
      const logFile = path.join(logDir, `${name}.log`);
      const env: Record<string, string> = {
        ...(process.env as Record<string, string>),
        ...urls,
        NODE_ENV: 'test',
        SERVICE_NAME: name,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(ports[name]),
        KAFKA_BROKERS: kafka.brokers.join(','),
        REDIS_URL: redisUrl,
        QUEUE_PREFIX: queuePrefix,
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
        DATABASE_URL: databases[name].url,
        AUTH_ISSUER: issuer,
        AUTH_JWKS_URL: `${issuer}/auth/jwks.json`,
        // Stacks share the test Redis: each counts its callers under its own prefix.
        RATE_LIMIT_KEY_PREFIX: `${queuePrefix}:rl`,
        // Specs and benchmarks call from 127.0.0.1 as one principal at thousands of requests a
        // second: the gateway's rate limits stay on, set far above that.
        ...LOCAL_RATE_LIMITS,
        ...options.env,
      };
      const spawnIt = () =>
        spawnDetached(process.execPath, ['-r', '@swc-node/register', `services/${name}/src/main.ts`], {
          cwd: ROOT,
          env,
          logFile,
        });
      let child = await spawnIt();
      const proc: StackProcess = {
        name,
        url: `http://127.0.0.1:${ports[name]}`,
        get pid() {
          return child.pid;
        },
        logFile,
        async kill(signal: NodeJS.Signals = 'SIGTERM') {
          await stopProcessGroup(child.pid, { signal, graceMs: 10_000 });
        },
        async restart() {
          child = await spawnIt();
          await waitHealthy(proc);
        },
      };
      return proc;
    };
    const services = {} as Record<BackendService | 'gateway', StackProcess>;
    for (const name of BACKEND_SERVICES) {
      services[name] = await launch(name);
      started.push(services[name]);
    }
    await Promise.all(BACKEND_SERVICES.map((name) => waitHealthy(services[name])));
    services.gateway = await launch('gateway');
    started.push(services.gateway);
    await waitHealthy(services.gateway);
    return {
      gatewayUrl: services.gateway.url,
      kafka,
      broker,
      redisUrl,
      queuePrefix,
      databases,
      token: (caller) =>
        mintToken(databases.gateway.url, {
          issuer,
          subject: caller.subject ?? `e2e-${caller.roles.join('-')}`,
          roles: caller.roles,
          territory: caller.territory,
          ttlSeconds: caller.ttlSeconds ?? TOKEN_TTL_SECONDS,
        }),
      services,
      logDir,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
