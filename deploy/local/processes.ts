import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SpawnDetachedOptions {
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Run as another OS user (embedded Postgres refuses to run as root). */
  uid?: number;
  gid?: number;
}

/**
 * Starts a process as the leader of its own process group with its output appended to a log file.
 * Its own group means a Ctrl-C in our terminal reaches us and not it (we decide the shutdown order),
 * and stopping the group also stops anything it forked. The child is unref'd: callers decide how
 * long they live.
 */
export async function spawnDetached(
  command: string,
  args: readonly string[],
  options: SpawnDetachedOptions,
): Promise<ChildProcess & { pid: number }> {
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const fd = fs.openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    fs.writeSync(fd, `\n--- ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
    child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      uid: options.uid,
      gid: options.gid,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    fs.closeSync(fd);
  }
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  child.unref();
  return child as ChildProcess & { pid: number };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return processState(pid) !== 'Z';
}

/** True while any process of the group led by `pgid` exists. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function processState(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).charAt(0);
  } catch {
    return undefined;
  }
}

/** The command line of a running process, used to make sure a recorded pid was not reused. */
export function commandLine(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    const ps = spawnSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
    return ps.status === 0 ? ps.stdout.trim() : undefined;
  }
}

function signalQuietly(target: number, signal: NodeJS.Signals): void {
  try {
    process.kill(target, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export interface StopOptions {
  /** Signal that asks for a clean shutdown (Postgres wants SIGINT, "fast shutdown"). */
  signal?: NodeJS.Signals;
  /** Signal only the group leader first and let it stop its own children. */
  leaderOnly?: boolean;
  /** How long the clean shutdown may take before SIGKILL. */
  graceMs?: number;
}

export type StopOutcome = 'stopped' | 'killed' | 'not-running';

/** Asks a process group to stop, waits until every member is gone, SIGKILLs it after the grace period. */
export async function stopProcessGroup(pgid: number, options: StopOptions = {}): Promise<StopOutcome> {
  const { signal = 'SIGTERM', leaderOnly = false, graceMs = 20_000 } = options;
  if (!groupAlive(pgid)) return 'not-running';
  signalQuietly(leaderOnly ? pgid : -pgid, signal);
  if (await waitUntil(() => !groupAlive(pgid), { timeoutMs: graceMs })) return 'stopped';
  signalQuietly(-pgid, 'SIGKILL');
  await waitUntil(() => !groupAlive(pgid), { timeoutMs: 5_000 });
  return 'killed';
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
}

/** Polls `check` until it holds (true) or the time is up (false). */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  { timeoutMs, intervalMs = 100, signal }: WaitOptions,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

export function tailFile(file: string, lines = 30): string {
  try {
    return lastLines(fs.readFileSync(file, 'utf8'), lines);
  } catch {
    return `(no log at ${file})`;
  }
}

/** Whether something accepts TCP connections on the port. */
export function portAnswers(port: number, host = '127.0.0.1', timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The preferred port when it is free, any free port otherwise. */
export async function preferredOrFreePort(preferred: number): Promise<number> {
  return (await portIsFree(preferred)) ? preferred : freePort();
}

export interface CommandResult {
  status: number | null;
  /** stdout and stderr interleaved, for error messages. */
  output: string;
}

/** Runs a short command to completion, capturing its output; rejects only when it cannot start. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal; uid?: number; gid?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      uid: options.uid,
      gid: options.gid,
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, output }));
  });
}

export function lastLines(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Pids of running processes whose command line contains `text` (Linux /proc; empty elsewhere). */
export function pidsMatching(text: string): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  return entries
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => pid !== process.pid && isAlive(pid) && (commandLine(pid)?.includes(text) ?? false));
}
