import { buildConsole, describeConsoleBuild, type ConsoleBuild } from './console';
import { loadDemoData } from './demo-data';
import { SetupError } from './errors';
import {
  DEMO_USERS_FILE,
  demoLoaderToken,
  ensureDemoUsers,
  localIdentitySecret,
  type DemoCredential,
} from './identity';
import {
  describePart,
  ensureInfra,
  prepareStores,
  type Infra,
  type InfraPart,
  type PreparedStores,
} from './infra';
import { displayPath, logFileFor } from './paths';
import { isAlive, portIsFree, tailFile } from './processes';
import { databaseUrl, serviceDatabaseName } from './postgres';
import {
  assignPorts,
  discoverServices,
  serviceEnv,
  startService,
  waitForHealth,
  type HealthOutcome,
  type RunningService,
} from './services';
import { onStopSignal, isInterruption } from './signals';
import { isOurProcess } from './registry';
import { readStack, removeStack, writeStack } from './stack';
import { formatDuration, say, table, timed } from './ui';

const PART_LABEL: Record<InfraPart['name'], string> = {
  kafka: 'Kafka',
  postgres: 'PostgreSQL',
  redis: 'Redis',
};

/**
 * `npm start`: the stores, their databases/migrations/topics, then every service; stays in the
 * foreground until Ctrl-C or `npm stop`, then stops what it started: services first, then Kafka,
 * Postgres and Redis.
 */
export async function up(): Promise<number> {
  const previous = readStack();
  if (previous && previous.pid !== process.pid && isOurProcess(previous.pid, 'cli.ts')) {
    throw new SetupError(
      `Duemap is already running (npm start, pid ${previous.pid}); stop it first with \`npm stop\`.`,
    );
  }
  const startedAt = Date.now();
  const services: RunningService[] = [];
  let infra: Infra | undefined;

  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> =>
    (stopping ??= (async () => {
      say('\nStopping…');
      // Let an interrupted start-up unwind first: whatever it was starting stops itself on abort.
      await starting.catch(() => undefined);
      await Promise.all(
        services.map(async (service) => {
          await service.stop();
          say(`  stopped ${service.name} (pid ${service.pid})`);
        }),
      );
      for (const part of infra?.parts ?? []) {
        if (!part.stop) continue;
        await part.stop();
        say(`  stopped ${PART_LABEL[part.name]} (pid ${part.pid ?? '?'})`);
      }
      removeStack();
      say('Stopped everything npm start had started.');
    })());

  const signal = onStopSignal((received) => {
    stopAll().then(
      // Ctrl-C keeps the shell's convention; `npm stop` (SIGTERM) is a normal end, so npm stays quiet.
      () => process.exit(received === 'SIGINT' ? 130 : 0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });

  const record = (): void =>
    writeStack({
      pid: process.pid,
      startedAt: new Date(startedAt).toISOString(),
      env: infra?.env,
      started: [
        ...(infra?.parts ?? []).flatMap((part) =>
          part.stop && part.pid ? [{ name: part.name, pid: part.pid }] : [],
        ),
        ...services.map((service) => ({ name: service.name, pid: service.pid })),
      ],
    });
  // Written before anything starts, so `npm stop` can reach us even while we are starting.
  record();

  const startAll = async (): Promise<void> => {
    // The console's static files build (a few seconds) while the stores start; the gateway serves them.
    const consoleBuilt = timed(
      'web console (vite build)',
      () => buildConsole(signal),
      describeConsoleBuild,
    ).catch(
      // Never rejects: an interrupted start-up may not get as far as awaiting it.
      (error: unknown): ConsoleBuild => {
        if (!isInterruption(error)) say(`! the web console was not built: ${String(error)}`);
        return { ok: false, logFile: logFileFor('console-build') };
      },
    );
    infra = await timed('Kafka, PostgreSQL and Redis', () => ensureInfra({ signal }));
    record();
    const ready = infra;
    const stores = await timed(
      'databases, migrations and topics',
      () => prepareStores(ready.env, { signal }),
      describeStores,
    );

    const names = discoverServices();
    const ports = assignPorts(names);
    for (const name of names) {
      const port = ports[name] ?? 0;
      if (!(await portIsFree(port))) {
        throw new SetupError(
          `Port ${port} for ${name} is taken by another program; stop it (another npm start?) and try again.`,
        );
      }
    }
    const outcomes = new Map<string, HealthOutcome>();
    const identitySecret = localIdentitySecret();
    if (names.length > 0) {
      await timed(`services: ${names.join(', ')}`, async () => {
        for (const name of names) {
          signal.throwIfAborted();
          const env = serviceEnv({
            service: name,
            ports,
            kafkaBrokers: ready.env.KAFKA_BROKERS,
            databaseUrl:
              stores.databases[name] ?? databaseUrl(ready.env.DATABASE_URL, serviceDatabaseName(name)),
            redisUrl: ready.env.REDIS_URL,
            identitySecret,
          });
          services.push(await startService(name, env, { logFile: logFileFor(name) }));
          record();
        }
        const results = await Promise.all(services.map((service) => waitForHealth(service, { signal })));
        services.forEach((service, i) => outcomes.set(service.name, results[i] ?? 'timeout'));
      });
    }
    const gateway = services.find((service) => service.name === 'gateway');
    const allHealthy = services.every((service) => outcomes.get(service.name) === 'healthy');
    const gatewayDatabase =
      stores.databases.gateway ?? databaseUrl(ready.env.DATABASE_URL, serviceDatabaseName('gateway'));
    let credentials: DemoCredential[] = [];
    if (gateway && outcomes.get('gateway') === 'healthy') {
      credentials = await timed(
        'demo users',
        () => ensureDemoUsers(gatewayDatabase),
        (users) => users.map((u) => u.username).join(', '),
      );
    }
    if (gateway && allHealthy && process.env.DUEMAP_DEMO !== '0') {
      const token = await demoLoaderToken(gatewayDatabase);
      const demo = await timed(
        'demo data through the API (DUEMAP_DEMO=0 skips it)',
        () => loadDemoData(gateway.url, { token }),
        (s) =>
          `${s.customers} customers, ${s.invoices} invoices, ${s.payments} payments, ${s.bankCredits} bank statement credits`,
      );
      for (const failure of demo.failures) say(`  ! ${failure}`);
    }
    const built = await consoleBuilt;
    process.stdout.write(
      renderStackBlock(ready, services, outcomes, Date.now() - startedAt, credentials, built),
    );
  };

  // Assigned before any signal can be handled: nothing above awaits.
  const starting = startAll();
  try {
    await starting;
  } catch (error) {
    // Interrupted: the signal handler is already stopping everything and will exit.
    if (isInterruption(error)) return new Promise<number>(() => undefined);
    await stopAll();
    throw error;
  }
  watchServices(services, () => stopping !== undefined);
  // Stay in the foreground; the signal handler ends the process.
  return new Promise<number>(() => undefined);
}

function describeStores(stores: PreparedStores): string {
  const databases = Object.keys(stores.databases).length;
  const applied = stores.migrations.reduce((sum, result) => sum + result.applied.length, 0);
  const topics = stores.topics.created.length + stores.topics.existing.length;
  return `${databases} service database${databases === 1 ? '' : 's'}, ${applied} migration${applied === 1 ? '' : 's'} applied, ${topics} topics (${stores.topics.created.length} new)`;
}

function renderStackBlock(
  infra: Infra,
  services: readonly RunningService[],
  outcomes: ReadonlyMap<string, HealthOutcome>,
  elapsedMs: number,
  credentials: readonly DemoCredential[] = [],
  consoleBuild: ConsoleBuild = { ok: true },
): string {
  const rows: string[][] = [];
  const gateway = services.find((service) => service.name === 'gateway');
  if (gateway) {
    // First: what a newcomer opens. The demo finance user sees every customer.
    const finance = credentials.find((c) => c.username === 'finance');
    const signIn = finance?.password
      ? `sign in as finance / ${finance.password}`
      : 'sign in with a demo user below';
    rows.push([
      'Console',
      `${gateway.url}/`,
      consoleBuild.ok ? signIn : `NOT BUILT: see ${displayPath(consoleBuild.logFile)}`,
    ]);
    rows.push(['API', `${gateway.url}/api/v1`, '(gateway)']);
    rows.push(['API docs', `${gateway.url}/api/docs`]);
    rows.push(['Sign in', `${gateway.url}/auth/login`, '(npm run token -- --role finance for scripts)']);
    rows.push(['Map data', `${gateway.url}/api/v1/map/customers`, '(GeoJSON)']);
  }
  for (const service of services) {
    const outcome = outcomes.get(service.name) ?? 'timeout';
    const state =
      outcome === 'healthy' ? 'healthy' : `${outcome.toUpperCase()}: see ${displayPath(service.logFile)}`;
    rows.push([service.name, `${service.url}/health`, `${service.url}/metrics`, state]);
  }
  for (const part of infra.parts) rows.push([PART_LABEL[part.name], describePart(part)]);

  const logs = [
    ...infra.parts
      .filter((part) => part.source === 'started' || part.source === 'reused')
      .map((part) => logFileFor(part.name)),
    ...services.map((service) => service.logFile),
  ].map(displayPath);
  const lines = [
    '',
    `Duemap is up (${formatDuration(elapsedMs)}).`,
    '',
    table(rows),
    '',
    // Outside the table: one long cell would widen every row.
    `  Logs in .run/logs/: ${logs.length > 0 ? logs.map((l) => l.replace(/^\.run\/logs\//, '')).join(' ') : '(nothing started here writes logs)'}`,
  ];
  if (services.length === 0) {
    lines.push('', '  No services yet: each services/<name>/src/main.ts is started here once it exists.');
  }
  for (const service of services) {
    if (outcomes.get(service.name) !== 'healthy') {
      lines.push(
        '',
        `  ${service.name} is not healthy; the last lines of its log:`,
        tailFile(service.logFile, 15),
      );
    }
  }
  if (credentials.length > 0) {
    lines.push(
      '',
      `  Demo users (passwords kept in ${displayPath(DEMO_USERS_FILE)}):`,
      table(
        credentials.map((c) => [
          c.username,
          c.password ?? '(set before; npm run users -- list)',
          c.roles.join(', ') + (c.username === 'south' ? ' (广东, 广西, 海南)' : ''),
        ]),
      ),
    );
  }
  lines.push('', 'Stop with: npm stop (or Ctrl-C here)', '');
  return lines.join('\n');
}

/** Says so when a service dies while the stack runs (the others keep running). */
function watchServices(services: readonly RunningService[], stopping: () => boolean): void {
  const reported = new Set<string>();
  setInterval(() => {
    if (stopping()) return;
    for (const service of services) {
      if (reported.has(service.name) || isAlive(service.pid)) continue;
      reported.add(service.name);
      say(`! ${service.name} (pid ${service.pid}) exited; see ${displayPath(service.logFile)}`);
    }
  }, 2_000);
}
