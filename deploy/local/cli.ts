/**
 * The local stack's entry point, behind the npm scripts: start/stop (`up`/`down`), test, the fault
 * suite (`test-faults`), the stores alone (`infra`), `buf-breaking` and `bench <name>`. See `USAGE`
 * in ./args.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { USAGE, parseCliArgs, type Command } from './args';
import { bufBreaking } from './buf';
import { down } from './down';
import { SetupError } from './errors';
import { describePart, ensureInfra, envLines, prepareStores } from './infra';
import { REPO_ROOT } from './paths';
import { setOwnerCommand } from './registry';
import { onStopSignal, isInterruption } from './signals';
import { runFaultTests, runTests } from './test-runner';
import { say, timed } from './ui';
import { up } from './up';

/** `infra`: the stores, their databases, migrations and topics; they keep running after we exit. */
async function infra(): Promise<number> {
  const signal = onStopSignal(() => undefined);
  const stores = await timed('Kafka, PostgreSQL and Redis', () => ensureInfra({ signal }));
  try {
    await timed('databases, migrations and topics', () => prepareStores(stores.env, { signal }));
  } catch (error) {
    await stores.stop();
    throw error;
  }
  for (const part of stores.parts) say(`  ${part.name}: ${describePart(part)}`);
  if (stores.parts.some((part) => part.stop)) say('They keep running; stop them with: npm stop');
  process.stdout.write(envLines(stores.env) + '\n');
  return 0;
}

/** `bench <name>`: bench/<name>.bench.ts with the stores' env, under swc like the services. */
async function bench(name: string, args: readonly string[]): Promise<number> {
  const file = path.join('bench', `${name}.bench.ts`);
  if (!fs.existsSync(path.join(REPO_ROOT, file))) {
    const available = fs.existsSync(path.join(REPO_ROOT, 'bench'))
      ? fs.readdirSync(path.join(REPO_ROOT, 'bench')).filter((f) => f.endsWith('.bench.ts'))
      : [];
    throw new SetupError(`There is no ${file} (benches: ${available.join(', ') || 'none yet'}).`);
  }
  let child: ReturnType<typeof spawn> | undefined;
  const signal = onStopSignal((received) => child?.kill(received));
  const stores = await timed('Kafka, PostgreSQL and Redis', () => ensureInfra({ signal }));
  try {
    await timed('databases, migrations and topics', () => prepareStores(stores.env, { signal }));
    // bench:e2e runs a private stack with a broker of its own: a shared broker idling beside it
    // would only take CPU from what is measured (a broker that was already running is left alone).
    if (name === 'e2e') await stores.stopPart('kafka');
    return await new Promise<number>((resolve, reject) => {
      child = spawn(process.execPath, ['-r', '@swc-node/register', file, ...args], {
        cwd: REPO_ROOT,
        env: { ...process.env, ...stores.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
        stdio: 'inherit',
      });
      child.once('error', reject);
      child.once('close', (status) => resolve(status ?? 1));
    });
  } finally {
    await stores.stop();
  }
}

async function run(command: Command, args: string[]): Promise<number> {
  switch (command) {
    case 'up':
      return up();
    case 'down':
      return down();
    case 'infra':
      return infra();
    case 'test':
      return runTests(args);
    case 'test-faults':
      return runFaultTests(args);
    case 'buf-breaking':
      return (await bufBreaking()).ok ? 0 : 1;
    case 'bench':
      return bench(args[0] ?? '', args.slice(1));
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseCliArgs(argv);
  if ('error' in parsed) {
    say(`${parsed.error}\n\n${USAGE}`);
    return 2;
  }
  setOwnerCommand(parsed.command);
  return run(parsed.command, parsed.args);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof SetupError) {
      say(error.message);
    } else if (isInterruption(error)) {
      say('Interrupted.');
      process.exit(130);
    } else {
      console.error(error);
    }
    process.exit(1);
  },
);
