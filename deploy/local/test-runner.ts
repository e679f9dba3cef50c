import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { bufBreaking } from './buf';
import { SetupError } from './errors';
import { describePart, ensureInfra, prepareStores, type Infra, type InfraEnv } from './infra';
import { REPO_ROOT, RUN_DIR } from './paths';
import { runCommand } from './processes';
import { onStopSignal } from './signals';
import { formatDuration, say, table } from './ui';

export interface TestCounts {
  passed: number;
  failed: number;
  skipped: number;
}

export interface StepResult {
  name: string;
  ok: boolean;
  ms: number;
  note?: string;
  /** Jest steps: the tests they ran. */
  tests?: TestCounts;
  /**
   * The check could not be made here (the dependency audit when the registry refuses the advisory
   * request): not a failure of the run, but shown as "not checked", never as "pass".
   */
  notChecked?: boolean;
}

type StepOutcome = Pick<StepResult, 'ok' | 'note' | 'tests' | 'notChecked'>;

interface Step {
  name: string;
  /** Jest steps get KAFKA_BROKERS / DATABASE_URL / REDIS_URL and wait for the stores. */
  needsStores: boolean;
  run(env: NodeJS.ProcessEnv, track: (child: ChildProcess) => void): Promise<StepOutcome>;
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

/** A Jest run that also writes its totals to a JSON report, for the closing line of the summary. */
function jestStep(args: readonly string[], needsStores: boolean): Step {
  const base = commandStep('jest', args, needsStores);
  return {
    ...base,
    async run(env, track) {
      fs.mkdirSync(RUN_DIR, { recursive: true });
      const report = path.join(RUN_DIR, `jest-report-${process.pid}-${Date.now()}.json`);
      const outcome = await commandStep(
        'jest',
        [...args, '--json', `--outputFile=${report}`],
        needsStores,
      ).run(env, track);
      return { ...outcome, tests: readJestReport(report) };
    },
  };
}

export function readJestReport(file: string): TestCounts | undefined {
  try {
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      numTodoTests: number;
      numRuntimeErrorTestSuites: number;
    };
    // A suite that fails to load runs no test but is a failure all the same.
    return {
      passed: json.numPassedTests,
      failed: json.numFailedTests + json.numRuntimeErrorTestSuites,
      skipped: json.numPendingTests + json.numTodoTests,
    };
  } catch {
    return undefined;
  } finally {
    fs.rmSync(file, { force: true });
  }
}

export const AUDIT_STEP = 'npm run audit:deps';

/**
 * What the dependency audit's exit code means for the run: 2 is "npm got no advisories" (this
 * machine's registry answers the bulk advisory request with 405), a failure only where CI asks for
 * the audit (CI_REQUIRE_AUDIT=1), elsewhere a "not checked" row with the reason the script printed.
 */
export function auditOutcome(status: number | null, output: string, requireAudit: boolean): StepOutcome {
  if (status === 0) return { ok: true };
  if (status !== 2) return { ok: false };
  const reason = /^not checked: (.+)$/m.exec(output)?.[1]?.trim() ?? 'npm could not get the advisories';
  return requireAudit
    ? { ok: false, note: `${reason}; CI_REQUIRE_AUDIT=1` }
    : { ok: true, notChecked: true, note: `not checked: ${reason}` };
}

/** tools/dependency-audit.ts, its output streamed and kept for the reason of a "not checked". */
function auditStep(): Step {
  return {
    name: AUDIT_STEP,
    needsStores: false,
    run: (env, track) =>
      new Promise((resolve) => {
        const child = spawn('node', ['--import', 'tsx', 'tools/dependency-audit.ts'], {
          cwd: REPO_ROOT,
          env,
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        track(child);
        let output = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          process.stdout.write(chunk);
        });
        child.once('error', (error) => resolve({ ok: false, note: error.message }));
        child.once('close', (status) => resolve(auditOutcome(status, output, env.CI_REQUIRE_AUDIT === '1')));
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
    // The console is browser code (DOM, JSX): its own tsconfig, checked as strictly.
    commandStep('tsc', ['-p', 'services/console/tsconfig.json', '--noEmit']),
    commandStep('prettier', ['--check', '.']),
    commandStep('buf', ['lint']),
    { name: 'buf breaking', needsStores: false, run: (env) => bufBreaking(env) },
    auditStep(),
    jestStep(['--ci', '--maxWorkers=2', '--selectProjects', 'unit'], true),
    jestStep(['--ci', '--maxWorkers=2', '--selectProjects', 'integration'], true),
    // Until the first service exists there are no end-to-end specs; that is not a failure.
    jestStep(['--ci', '--runInBand', '--passWithNoTests', '--selectProjects', 'e2e'], true),
    faultsStep([]),
  ];
}

/**
 * The fault-injection suite (e2e/faults): one stack of its own (private broker behind a proxy,
 * private redis-server, fresh databases on the test Postgres), faults in sequence, in band.
 */
export function faultsStep(args: readonly string[]): Step {
  return jestStep(['--ci', '--runInBand', '--selectProjects', 'faults', ...args], true);
}

/** Which specs the arguments select decides whether the stores are needed (unit specs need none). */
async function jestOnlyStep(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Step> {
  const listed = await runCommand('jest', ['--listTests', ...args], { cwd: REPO_ROOT, env });
  const needsStores = listed.status !== 0 || /\.(int|e2e|faults)-spec\.ts$/m.test(listed.output);
  const inBand = /\.(e2e|faults)-spec\.ts$/m.test(listed.output);
  return jestStep(['--ci', inBand ? '--runInBand' : '--maxWorkers=2', ...args], needsStores);
}

/**
 * The table of steps, a line counting them, and last the tests line CI and humans read:
 * `tests: N passed, N failed` (`, N skipped` when any), summed over the Jest steps.
 */
export function renderSummary(results: readonly StepResult[], title = 'npm test'): string {
  const rows = [
    ['step', 'result', 'tests', 'time'],
    ...results.map((r) => [
      r.name,
      r.notChecked ? (r.note ?? 'not checked') : (r.ok ? 'pass' : 'FAIL') + (r.note ? ` (${r.note})` : ''),
      r.tests ? `${r.tests.passed}/${r.tests.passed + r.tests.failed}` : '',
      formatDuration(r.ms),
    ]),
  ];
  const failedSteps = results.filter((r) => !r.ok).length;
  const unchecked = results.filter((r) => r.ok && r.notChecked).length;
  const passedSteps = results.length - failedSteps - unchecked;
  const aside = [
    failedSteps ? `${failedSteps} failed` : '',
    unchecked ? `${unchecked} not checked` : '',
  ].filter(Boolean);
  const total = results.reduce<TestCounts>(
    (sum, r) => ({
      passed: sum.passed + (r.tests?.passed ?? 0),
      failed: sum.failed + (r.tests?.failed ?? 0),
      skipped: sum.skipped + (r.tests?.skipped ?? 0),
    }),
    { passed: 0, failed: 0, skipped: 0 },
  );
  const skipped = total.skipped > 0 ? `, ${total.skipped} skipped` : '';
  return [
    '',
    `Summary of ${title}`,
    table(rows),
    '',
    `steps: ${passedSteps} of ${results.length} passed${aside.length ? ` (${aside.join(', ')})` : ''}`,
    `tests: ${total.passed} passed, ${total.failed} failed${skipped}`,
    '',
  ].join('\n');
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
  const steps = jestArgs.length > 0 ? [await jestOnlyStep(jestArgs, testEnv())] : defaultSteps();
  return runSteps(steps, 'npm test');
}

/**
 * `npm run test:faults`: the stores, then the fault-injection suite alone (Jest arguments go to
 * it, e.g. `-- -t pause`), which writes its table into docs/reliability.md (FAULTS_REPORT).
 */
export async function runFaultTests(jestArgs: readonly string[]): Promise<number> {
  process.env.FAULTS_REPORT ??= path.join(REPO_ROOT, 'docs', 'reliability.md');
  // The suite runs a broker of its own: a shared one idling beside it would only take CPU (one we
  // did not start is left alone).
  return runSteps([faultsStep(jestArgs)], 'npm run test:faults', { sharedKafka: false });
}

function testEnv(): NodeJS.ProcessEnv {
  const binPath = path.join(REPO_ROOT, 'node_modules', '.bin');
  return {
    ...process.env,
    PATH: `${binPath}${path.delimiter}${process.env.PATH ?? ''}`,
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    // No Nx daemon outliving the run, no cloud calls.
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
  };
}

async function runSteps(
  steps: readonly Step[],
  title: string,
  { sharedKafka = true }: { sharedKafka?: boolean } = {},
): Promise<number> {
  const started = Date.now();
  const results: StepResult[] = [];
  let current: ChildProcess | undefined;
  const signal = onStopSignal((received) => current?.kill(received));

  const baseEnv = testEnv();

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
      if (!sharedKafka) await ready.infra.stopPart('kafka');
      say(`\nStores for Jest:\n${table(ready.infra.parts.map((part) => [part.name, describePart(part)]))}`);
    }
    say(`\n▶ ${step.name}`);
    const outcome = await step.run({ ...baseEnv, ...storesEnv }, (child) => (current = child));
    current = undefined;
    results.push({ name: step.name, ms: Date.now() - stepStarted, ...outcome });
  }

  const ready = stores ? await stores : undefined;
  if (ready && 'infra' in ready) await ready.infra.stop();

  const elapsed = formatDuration(Date.now() - started);
  say(signal.aborted ? `\nInterrupted after ${elapsed}.` : `\nTotal ${elapsed}.`);
  // The tests line comes last, where people and CI look for it.
  process.stdout.write(renderSummary(results, title));
  if (signal.aborted) return 130;
  return results.every((result) => result.ok) ? 0 : 1;
}
