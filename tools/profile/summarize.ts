/**
 * Summarises V8 CPU profiles (DUEMAP_CPU_PROF_DIR with bench:e2e: the measured window): self time
 * per package (node_modules/<pkg>, or the repo folder) and the hottest functions.
 *
 *   node --import tsx tools/profile/summarize.ts /tmp/prof/*.cpuprofile
 */
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function owner(url: string): string {
  if (!url) return '(native/gc/idle)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) return url;
  const m = /\/(libs|services)\/([^/]+)\//.exec(url);
  return m ? `${m[1]}/${m[2]}` : url;
}

function top<K>(map: Map<K, number>, n: number): [K, number][] {
  return [...map].sort((a, b) => b[1] - a[1]).slice(0, n);
}

for (const file of process.argv.slice(2)) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byOwner = new Map<string, number>();
  const byFn = new Map<string, number>();
  let idle = 0;
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += us;
      continue;
    }
    const o = owner(url);
    byOwner.set(o, (byOwner.get(o) ?? 0) + us);
    const key = `${functionName || '(anon)'} ${o}${url ? `:${path.basename(url)}:${lineNumber + 1}` : ''}`;
    byFn.set(key, (byFn.get(key) ?? 0) + us);
  }
  const busy = total - idle;
  const pct = (us: number): string => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
  console.log(
    `\n== ${path.basename(file)}: ${(total / 1e6).toFixed(1)} s sampled, busy ${(busy / 1e6).toFixed(1)} s`,
  );
  for (const [o, us] of top(byOwner, 14)) console.log(`  ${pct(us)}  ${o}`);
  console.log('  -- hottest functions (self)');
  for (const [f, us] of top(byFn, 14)) console.log(`  ${pct(us)}  ${f}`);
}
