import fs from 'node:fs';

/** CPU seconds per process group (Postgres, Kafka, Redis, each service, this benchmark, the rest). */
export type CpuSample = Map<string, number>;

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function groupOf(pid: number, cmdline: string, command: string): string {
  if (pid === process.pid) return 'benchmark';
  const service = /services\/([a-z-]+)\/src\/main\.ts/.exec(cmdline);
  if (service) return service[1] as string;
  if (/kafka\.Kafka/.test(cmdline)) return 'kafka';
  if (/^postgres|\/postgres\s/.test(cmdline)) return `postgres/${postgresRole(cmdline)}`;
  if (/redis-server/.test(cmdline)) return 'redis';
  return `other/${command.replace(/[/:].*$/, '')}`;
}

/** `duemap_payments`, `test_e2e_payments_mx6mcd…`: the service whose database it is. */
const SERVICE_IN_DATABASE = /(?:^|_)(customers|geocoding|invoicing|payments|notifications|gateway)(?:_|$)/;

/**
 * What a Postgres process works for: a backend's database's service (`postgres: 15/main: user db
 * host state`), else its role (walwriter,
 * autovacuum worker, …).
 */
function postgresRole(cmdline: string): string {
  const title = /^postgres: (?:[\d.]+\/\w+: )?(.*)$/.exec(cmdline.trim())?.[1];
  if (title === undefined) return 'postmaster';
  const backend = /^\S+ (\S+) (?:\d+\.\d+\.\d+\.\d+|\[local\])/.exec(title);
  if (backend) {
    const database = backend[1] as string;
    return SERVICE_IN_DATABASE.exec(database)?.[1] ?? database;
  }
  return title.replace(/ .*$/, '').replace(/\s+$/, '') || 'other';
}

/** Reads every process's user+system time from /proc (Linux only; empty elsewhere). */
export function sampleCpu(): CpuSample {
  const sample: CpuSample = new Map();
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return sample;
  }
  for (const entry of entries) {
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may contain spaces) start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const group = groupOf(Number(entry), cmdline, command);
      sample.set(`${entry} ${group}`, ticks / TICKS_PER_SECOND);
    } catch {
      // the process ended meanwhile
    }
  }
  return sample;
}

/**
 * Percent of one core per group between two samples, busiest first. Groups are the part before
 * `/` (`postgres/payments` counts as `postgres`); with `within`, the parts of that one group.
 */
export function cpuBetween(
  before: CpuSample,
  after: CpuSample,
  seconds: number,
  within?: string,
): [string, number][] {
  const byGroup = new Map<string, number>();
  for (const [key, t] of after) {
    const used = t - (before.get(key) ?? 0);
    const full = key.slice(key.indexOf(' ') + 1);
    const [top, part] = full.split('/', 2) as [string, string | undefined];
    if (within !== undefined && top !== within) continue;
    const group = within === undefined ? top : (part ?? top);
    byGroup.set(group, (byGroup.get(group) ?? 0) + used);
  }
  return [...byGroup]
    .map(([group, s]): [string, number] => [group, (100 * s) / seconds])
    .filter(([, pct]) => pct >= 0.5)
    .sort((a, b) => b[1] - a[1]);
}
