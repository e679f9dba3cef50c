import fs from 'node:fs';
import path from 'node:path';
import { displayPath, logFileFor, REPO_ROOT } from './paths';
import { runCommand } from './processes';

export type ConsoleBuild = { ok: true } | { ok: false; logFile: string };

/**
 * Builds the web console (services/console, Vite) into the static files the gateway serves at /.
 * A failed build does not stop `npm start` (the API works without it); its output goes to
 * .run/logs/console-build.log and the summary says so.
 */
export async function buildConsole(signal?: AbortSignal): Promise<ConsoleBuild> {
  const logFile = logFileFor('console-build');
  const result = await runCommand(
    'npm',
    ['run', '-s', 'build', '-w', 'services/console', '--', '--logLevel', 'warn'],
    {
      cwd: REPO_ROOT,
      ...(signal ? { signal } : {}),
    },
  );
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.writeFileSync(logFile, result.output);
  return result.status === 0 ? { ok: true } : { ok: false, logFile };
}

export function describeConsoleBuild(build: ConsoleBuild): string {
  return build.ok ? 'services/console/dist' : `FAILED: see ${displayPath(build.logFile)}`;
}
