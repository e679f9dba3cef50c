import { isAlive, waitUntil } from './processes';
import { isOurProcess, listProcesses, stopRecorded } from './registry';
import { readStack, removeStack } from './stack';
import { say } from './ui';

/**
 * `npm stop`: asks the running `npm start` to stop what it started (it knows the order), then stops
 * whatever a run that is gone left behind (a crashed `npm start`, `npm run infra:up`), and checks
 * that nothing of it is left. Processes that a still-running command owns (an `npm test` in another
 * terminal) are left alone and named.
 */
export async function down(): Promise<number> {
  const stopped: string[] = [];
  const stack = readStack();
  if (stack && stack.pid !== process.pid && isOurProcess(stack.pid, 'cli.ts')) {
    say(`Asking npm start (pid ${stack.pid}) to stop…`);
    process.kill(stack.pid, 'SIGTERM');
    if (!(await waitUntil(() => !isAlive(stack.pid), { timeoutMs: 90_000, intervalMs: 200 }))) {
      say(`npm start (pid ${stack.pid}) did not stop within 90 s; stopping it and its processes directly.`);
      process.kill(stack.pid, 'SIGKILL');
    }
    stopped.push(`npm start (pid ${stack.pid})`, ...stack.started.map((p) => `${p.name} (pid ${p.pid})`));
  }
  removeStack();

  const records = listProcesses();
  const inUse = records.filter((record) => record.owner.pid !== process.pid && isAlive(record.owner.pid));
  const orphans = records.filter((record) => !inUse.includes(record));
  // Nobody is left to care about their order, so they stop together.
  await Promise.all(orphans.map((record) => stopRecorded(record)));
  stopped.push(
    ...orphans.map((record) => `${record.name} (pid ${record.pid}, left by ${record.owner.command})`),
  );

  const survivors = [
    ...(stack?.started ?? []).filter((p) => isAlive(p.pid)).map((p) => `${p.name} (pid ${p.pid})`),
    ...listProcesses()
      .filter((record) => !inUse.some((used) => used.name === record.name))
      .map((record) => `${record.name} (pid ${record.pid})`),
  ];

  say(stopped.length > 0 ? `Stopped: ${stopped.join(', ')}.` : 'Nothing of Duemap was running.');
  for (const record of inUse) {
    say(
      `Left running: ${record.name} (pid ${record.pid}), in use by a running ${record.owner.command} (pid ${record.owner.pid}).`,
    );
  }
  if (survivors.length > 0) {
    say(`Still running after stop: ${survivors.join(', ')}.`);
    return 1;
  }
  return 0;
}
