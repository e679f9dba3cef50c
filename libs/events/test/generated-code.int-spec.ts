import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';

// The contract toolchain run for real: buf and protoc-gen-es from node_modules, git for the
// breaking-change baseline. Integration rather than unit because it spawns processes and
// reads the tree; it needs no network (local plugin, no BSR deps).

const repoRoot = join(__dirname, '..', '..', '..');
const genDir = join(repoRoot, 'libs', 'events', 'src', 'gen');
const contractsDir = join(repoRoot, 'libs', 'events', 'src', 'contracts');
const bin = (name: string): string => join(repoRoot, 'node_modules', '.bin', name);
// Plugins are scripts with `#!/usr/bin/env node`; make sure that node is this one.
const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}` };

function run(command: string, args: string[], cwd = repoRoot): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 60_000 });
}

function describeRun(result: SpawnSyncReturns<string>): string {
  return [`exit ${String(result.status)}`, result.stdout.trim(), result.stderr.trim(), result.error?.message]
    .filter((part) => part !== undefined && part !== '')
    .join('\n');
}

function listFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

describe('generated protobuf code', () => {
  let work: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'duemap-buf-generate-'));
  });

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('libs/events/src/gen is exactly what `buf generate` makes of proto/ today', () => {
    const fresh = join(work, 'fresh');
    // --output prefixes buf.gen.yaml's `out`, so the real gen directory is left alone.
    const generated = run(bin('buf'), ['generate', '--output', fresh]);
    expect(generated.error).toBeUndefined();
    if (generated.status !== 0) throw new Error(`buf generate failed:\n${describeRun(generated)}`);

    // Whether proto:generate runs prettier over the output or not, formatting both sides
    // the same way compares content, not style: a copy of the committed files and the
    // fresh output both go through the repository's prettier config.
    const freshGen = join(fresh, 'libs', 'events', 'src', 'gen');
    const committedGen = join(work, 'committed');
    cpSync(genDir, committedGen, { recursive: true });
    const formatted = run(
      bin('prettier'),
      [
        '--config',
        join(repoRoot, '.prettierrc.json'),
        '--log-level',
        'warn',
        '--write',
        freshGen,
        committedGen,
      ],
      work, // outside the repo, so its .prettierignore cannot exclude the copies
    );
    if (formatted.status !== 0) throw new Error(`prettier failed:\n${describeRun(formatted)}`);

    const freshFiles = listFiles(freshGen);
    const committedFiles = listFiles(committedGen);
    expect(freshFiles.length).toBeGreaterThan(0);
    const missing = freshFiles.filter((f) => !committedFiles.includes(f));
    const extra = committedFiles.filter((f) => !freshFiles.includes(f));
    const changed = freshFiles.filter(
      (f) =>
        committedFiles.includes(f) &&
        readFileSync(join(freshGen, f), 'utf8') !== readFileSync(join(committedGen, f), 'utf8'),
    );
    const problems = [
      ...missing.map((f) => `  missing (not generated yet): ${f}`),
      ...extra.map((f) => `  stale (no longer generated): ${f}`),
      ...changed.map((f) => `  out of date:                 ${f}`),
    ];
    if (problems.length > 0) {
      throw new Error(
        `libs/events/src/gen does not match proto/. Run \`npm run proto:generate\` and commit the result.\n${problems.join('\n')}`,
      );
    }
  });

  // New .proto files must also be re-exported, or they would exist but be unreachable
  // through @duemap/events.
  it('re-exports every generated module from its package barrel', () => {
    const unexported: string[] = [];
    for (const pkg of readdirSync(join(genDir, 'duemap'))) {
      const barrelPath = join(contractsDir, `${pkg}.ts`);
      const barrel = existsSync(barrelPath) ? readFileSync(barrelPath, 'utf8') : '';
      for (const file of listFiles(join(genDir, 'duemap', pkg))) {
        const modulePath = `../gen/duemap/${pkg}/${file.replace(/\.ts$/, '')}`;
        if (!barrel.includes(`export * from '${modulePath}';`))
          unexported.push(`${basename(barrelPath)}: ${modulePath}`);
      }
    }
    expect(unexported).toEqual([]);
  });
});

describe('buf checks', () => {
  it('`buf lint` passes', () => {
    const result = run(bin('buf'), ['lint']);
    expect(describeRun(result)).toBe('exit 0');
  });

  // Baseline: the main branch, once it holds the contracts. Before the first commit (or on
  // a main that predates proto/) there is nothing to break, and buf refuses a baseline with
  // no .proto files; the tree is then compared with itself, which still builds every file
  // and runs every FILE rule, so the command is exercised either way.
  it('`buf breaking` finds no breaking change against main', () => {
    const hasMain = run('git', ['rev-parse', '--verify', '--quiet', 'main^{commit}']).status === 0;
    const mainHasContracts =
      hasMain &&
      run('git', ['cat-file', '-e', 'main:buf.yaml']).status === 0 &&
      run('git', ['ls-tree', '-r', '--name-only', 'main', '--', 'proto']).stdout.includes('.proto');
    const against = mainHasContracts ? '.git#branch=main' : '.';
    const result = run(bin('buf'), ['breaking', '--against', against]);
    expect(`against ${against}: ${describeRun(result)}`).toBe(`against ${against}: exit 0`);
  });
});
