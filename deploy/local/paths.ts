import path from 'node:path';

/** Where everything the local stack writes lives; all of it is git-ignored. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const RUN_DIR = path.join(REPO_ROOT, '.run');
export const LOG_DIR = path.join(RUN_DIR, 'logs');
export const CACHE_DIR = path.join(REPO_ROOT, '.cache');
export const STACK_FILE = path.join(RUN_DIR, 'stack.json');

export function logFileFor(name: string): string {
  return path.join(LOG_DIR, `${name}.log`);
}

/** Shown to people, so relative to the repository when possible. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') ? file : relative;
}
