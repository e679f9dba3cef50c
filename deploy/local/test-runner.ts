import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

import { bufBreaking } from './buf';
import { SetupError } from './errors';
import { describePart, ensureInfra, prepareStores, type Infra, type InfraEnv } from './infra';
import { REPO_ROOT } from './paths';
import { runCommand } from './processes';
import { onStopSignal } from './signals';
import { formatDuration, say, table } from './ui';

export interface StepResult {
  name: string;
  ok: boolean;
  ms: number;
  note?: string;
}

interface Step {
  name: string;
  /** Jest steps get KAFKA_BROKERS / DATABASE_URL / REDIS_URL and wait for the stores. */
  needsStores: boolean;
  run(env: NodeJS.ProcessEnv, track: (child: ChildProcess) => void): Promise<{ ok: boolean; note?: string }>;
}

function commandStep(command: string, args: readonly string[], needsStores = false): Step {
  return {
    name: [command, ...args].join(' '),
    needsStores,
    run: (env, track) =>
      new Promise((resolve) => {
        const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: 'inherit' });
        track(child);
        child.once('error', (error) => resolve({ ok: false, note: error.message }));
        child.once('close', (status) => resolve({ ok: status === 0 }));
      }),
  };
}

/**
 * Unit specs are pure and take both cores. Integration specs name their own topics, groups and
 * databases (libs/testing), so two workers are safe, and faster (measured on 2 cores: 22 s against
 * 33 s in band) because they mostly wait on Kafka. End-to-end specs start the services on their
 * fixed ports, so they run one at a time.
 */
export function defaultSteps(): Step[] {
  const eslint = commandStep('eslint', ['.', '--max-warnings', '0']);
  return [
    {
      ...eslint,
      // @nx/enforce-module-boundaries reads Nx's cached project graph and is silently skipped without
      // one (a fresh clone, CI): build it first.
      async run(env, track) {
        const graph = await runCommand('nx', ['show', 'projects'], { cwd: REPO_ROOT, env });
        if (graph.status !== 0) {
          process.stderr.write(graph.output);
          return { ok: false, note: 'nx could not build the project graph' };
        }
        return eslint.run(env, track);
      },
    },
    commandStep('tsc', ['-p', 'tsconfig.json', '--noEmit']),
    commandStep('prettier', ['--check', '.']),
    commandStep('buf', ['lint']),
    { name: 'buf breaking', needsStores: false, run: (env) => bufBreaking(env) },
    commandStep('jest', ['--ci', '--maxWorkers=2', '--selectProjects', 'unit'], true),
    commandStep('jest', ['--ci', '--maxWorkers=2', '--selectProjects', 'integration'], true),
    // Until the first service exists there are no end-to-end specs; that is not a failure.
    commandStep('jest', ['--ci', '--runInBand', '--passWithNoTests', '--selectProjects', 'e2e'], true),
  ];
}

/** Which specs the arguments select decides whether the stores are needed (unit specs need none). */
async function jestOnlyStep(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Step> {
  const listed = await runCommand('jest', ['--listTests', ...args], { cwd: REPO_ROOT, env });
  const needsStores = listed.status !== 0 || /\.(int|e2e)-spec\.ts$/m.test(listed.output);
  const inBand = /\.e2e-spec\.ts$/m.test(listed.output);
  return commandStep('jest', ['--ci', inBand ? '--runInBand' : '--maxWorkers=2', ...args], needsStores);
}

export function renderSummary(results: readonly StepResult[]): string {
  const rows = [
    ['step', 'result', 'time'],
    ...results.map((r) => [
      r.name,
      (r.ok ? 'pass' : 'FAIL') + (r.note ? ` (${r.note})` : ''),
      formatDuration(r.ms),
    ]),
  ];
  const failed = results.filter((r) => !r.ok).length;
  return `\nSummary of npm test\n${table(rows)}\n\n${results.length - failed} passed, ${failed} failed\n`;
}

type Stores = { infra: Infra } | { error: unknown };

async function setUpStores(signal: AbortSignal): Promise<Stores> {
  let infra: Infra | undefined;
  try {
    infra = await ensureInfra({ signal });
    await prepareStores(infra.env, { signal });
    return { infra };
  } catch (error) {
    await infra?.stop();
    return { error };
  }
}

/**
 * `npm test`: every check in order, each streaming its output, all of them even when one fails,
 * then a summary table. The stores (like `npm start`, without services) are set up while the static
 * checks run, and whatever this run started is stopped at the end, also on Ctrl-C.
 * With arguments (`npm test -- libs/money`) only Jest runs, with those arguments.
 */
export async function runTests(jestArgs: readonly string[]): Promise<number> {
  const started = Date.now();
  const results: StepResult[] = [];
  let current: ChildProcess | undefined;
  const signal = onStopSignal((received) => current?.kill(received));

  const binPath = path.join(REPO_ROOT, 'node_modules', '.bin');
  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${binPath}${path.delimiter}${process.env.PATH ?? ''}`,
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    // No Nx daemon outliving the run, no cloud calls.
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
  };
  const steps = jestArgs.length > 0 ? [await jestOnlyStep(jestArgs, baseEnv)] : defaultSteps();

  let stores: Promise<Stores> | undefined;
  let storesEnv: InfraEnv | undefined;
  const getStores = (): Promise<Stores> => (stores ??= setUpStores(signal));
  // Start Kafka & co. now, in parallel with eslint & tsc, when a later step needs them.
  if (steps.some((step) => step.needsStores)) void getStores();

  for (const step of steps) {
    if (signal.aborted) break;
    const stepStarted = Date.now();
    if (step.needsStores && !storesEnv) {
      const ready = await getStores();
      if ('error' in ready) {
        const message = ready.error instanceof SetupError ? ready.error.message : ready.error;
        if (!signal.aborted) console.error('\nThe stores for the Jest steps could not be set up:', message);
        results.push({
          name: step.name,
          ok: false,
          ms: Date.now() - stepStarted,
          note: 'stores unavailable',
        });
        continue;
      }
      storesEnv = ready.infra.env;
      say(`\nStores for Jest:\n${table(ready.infra.parts.map((part) => [part.name, describePart(part)]))}`);
    }
    say(`\n▶ ${step.name}`);
    const outcome = await step.run({ ...baseEnv, ...storesEnv }, (child) => (current = child));
    current = undefined;
    results.push({ name: step.name, ok: outcome.ok, ms: Date.now() - stepStarted, note: outcome.note });
  }

  const ready = stores ? await stores : undefined;
  if (ready && 'infra' in ready) await ready.infra.stop();

  process.stdout.write(renderSummary(results));
  if (signal.aborted) {
    say(`Interrupted after ${formatDuration(Date.now() - started)}.`);
    return 130;
  }
  say(`Total ${formatDuration(Date.now() - started)}.`);
  return results.every((result) => result.ok) ? 0 : 1;
}
