import fs from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

/** Where a process writes its CPU profile of a window (unset: no profiling, no signal handler). */
export const CPU_PROFILE_DIR_ENV = 'DUEMAP_CPU_PROF_DIR';

/**
 * With DUEMAP_CPU_PROF_DIR set, SIGUSR2 starts a V8 CPU profile and the next SIGUSR2 writes it to
 * `<dir>/<name>.cpuprofile`: a profile of exactly the window a benchmark measures, without the
 * start-up that `--cpu-prof` would mix in. Summarise with tools/profile/summarize.ts.
 */
export function profileOnSignal(name: string, env: NodeJS.ProcessEnv = process.env): void {
  const dir = env[CPU_PROFILE_DIR_ENV];
  if (!dir) return;
  const session = new Session();
  session.connect();
  let profiling = false;
  process.on('SIGUSR2', () => {
    if (!profiling) {
      profiling = true;
      session.post('Profiler.enable', () => session.post('Profiler.start'));
      return;
    }
    profiling = false;
    session.post('Profiler.stop', (err, result) => {
      if (err) {
        process.stderr.write(`${name}: CPU profile failed: ${err.message}\n`);
        return;
      }
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
