import fs from 'node:fs';

import { RUN_DIR, STACK_FILE } from './paths';
import type { InfraEnv } from './infra';

/** `.run/stack.json`: the running `npm start`, so `npm stop` knows whom to ask. */
export interface StackFile {
  /** The `up` process; `npm stop` signals it and it stops what it started. */
  pid: number;
  startedAt: string;
  env?: InfraEnv;
  /** Everything that `up` started itself, with pids. */
  started: { name: string; pid: number }[];
}

export function readStack(): StackFile | undefined {
  try {
    return JSON.parse(fs.readFileSync(STACK_FILE, 'utf8')) as StackFile;
  } catch {
    return undefined;
  }
}

export function writeStack(stack: StackFile): void {
  fs.mkdirSync(RUN_DIR, { recursive: true });
  fs.writeFileSync(STACK_FILE, JSON.stringify(stack, null, 2) + '\n');
}

export function removeStack(): void {
  fs.rmSync(STACK_FILE, { force: true });
}
