import { spawn, spawnSync } from 'node:child_process';

import { REPO_ROOT } from './paths';
import { say } from './ui';

export type BreakingBaseline = { against: string } | { skip: string };

/** What `buf breaking` compares the working tree with: `main`, once it has contracts. */
export function breakingBaseline(root = REPO_ROOT): BreakingBaseline {
  const git = (...args: string[]): { ok: boolean; out: string } => {
    const result = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
    return { ok: result.status === 0, out: result.stdout?.trim() ?? '' };
  };
  if (!git('rev-parse', '--is-inside-work-tree').ok) {
    return { skip: 'this is not a git checkout, so there is no earlier contract to compare with' };
  }
  if (!git('rev-parse', '--verify', '--quiet', 'refs/heads/main').ok) {
    return { skip: 'branch main has no commit yet (first commit), so no earlier contract can break' };
  }
  if (!git('ls-tree', '--name-only', 'main', 'proto').out) {
    return { skip: 'main has no proto/ yet (the contracts are new), so nothing can break' };
  }
  return { against: '.git#branch=main' };
}

/** `buf breaking` against main, or a note on why the check holds trivially. */
export async function bufBreaking(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ ok: boolean; note?: string }> {
  const baseline = breakingBaseline();
  if ('skip' in baseline) {
    say(`buf breaking: nothing to check: ${baseline.skip}.`);
    return { ok: true, note: 'no baseline on main yet' };
  }
  say(`buf breaking --against '${baseline.against}'`);
  const status = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('buf', ['breaking', '--against', baseline.against], {
      cwd: REPO_ROOT,
      env,
      stdio: 'inherit',
    });
    child.once('error', reject);
    child.once('close', resolve);
  });
  return { ok: status === 0 };
}
