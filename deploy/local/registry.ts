import fs from 'node:fs';
import path from 'node:path';

import { RUN_DIR } from './paths';
import { commandLine, isAlive, stopProcessGroup, type StopOutcome } from './processes';

/**
 * One small JSON file per process we started (`.run/procs/<name>.json`): it lets a later command
 * reuse a running broker, and lets `npm stop` find what an `up` (or a crashed run) left behind.
 */
export interface OwnedProcess {
  name: string;
  pid: number;
  /** A string the process's command line contains, so a reused pid is not mistaken for ours. */
  marker: string;
  /** Who started it: a process that may still be running (`up`, a test run) or one that exited. */
  owner: { pid: number; command: string };
  startedAt: string;
  logFile?: string;
  url?: string;
  /** How to ask it to stop cleanly when it is not our own child (`npm stop`); SIGTERM by default. */
  stopSignal?: NodeJS.Signals;
  /** Signal only the leader, which stops its own children (Postgres). */
  leaderOnly?: boolean;
}

export const PROCS_DIR = path.join(RUN_DIR, 'procs');

let ownerCommand = process.env.JEST_WORKER_ID ? 'jest' : path.basename(process.argv[1] ?? 'node');

/** The CLI names itself (`up`, `test`, `infra`) so `npm stop` can say who started what. */
export function setOwnerCommand(command: string): void {
  ownerCommand = command;
}

function fileFor(name: string): string {
  return path.join(PROCS_DIR, `${name}.json`);
}

export function recordProcess(entry: Omit<OwnedProcess, 'owner' | 'startedAt'>): OwnedProcess {
  const record: OwnedProcess = {
    ...entry,
    owner: { pid: process.pid, command: ownerCommand },
    startedAt: new Date().toISOString(),
  };
  fs.mkdirSync(PROCS_DIR, { recursive: true });
  fs.writeFileSync(fileFor(entry.name), JSON.stringify(record, null, 2) + '\n');
  return record;
}

/** Removes the record; with a pid, only if the record is still that process's (not a newer one's). */
export function forgetProcess(name: string, pid?: number): void {
  if (pid !== undefined && readRecord(name)?.pid !== pid) return;
  fs.rmSync(fileFor(name), { force: true });
}

function readRecord(name: string): OwnedProcess | undefined {
  try {
    return JSON.parse(fs.readFileSync(fileFor(name), 'utf8')) as OwnedProcess;
  } catch {
    return undefined;
  }
}

export function isOurProcess(pid: number, marker: string): boolean {
  return isAlive(pid) && (commandLine(pid)?.includes(marker) ?? false);
}

/** The record of a process that is still running; stale records are removed on the way. */
export function findProcess(name: string): OwnedProcess | undefined {
  const record = readRecord(name);
  if (!record) return undefined;
  if (isOurProcess(record.pid, record.marker)) return record;
  forgetProcess(name, record.pid);
  return undefined;
}

export function listProcesses(): OwnedProcess[] {
  let files: string[];
  try {
    files = fs.readdirSync(PROCS_DIR);
  } catch {
    return [];
  }
  return files
    .filter((file) => file.endsWith('.json'))
    .map((file) => findProcess(file.slice(0, -'.json'.length)))
    .filter((record): record is OwnedProcess => record !== undefined);
}

/** Stops a recorded process the way it wants to be stopped and forgets it. */
export async function stopRecorded(record: OwnedProcess): Promise<StopOutcome> {
  const outcome = await stopProcessGroup(record.pid, {
    signal: record.stopSignal ?? 'SIGTERM',
    leaderOnly: record.leaderOnly ?? false,
    graceMs: 30_000,
  });
  forgetProcess(record.name, record.pid);
  return outcome;
}
