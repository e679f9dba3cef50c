import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
const fixture = path.join(__dirname, 'lint-fixtures', 'boundaries');
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_SKIP_NX_CACHE: 'true' };

function run(bin: string, args: string[]): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules', bin), ...args], {
    cwd: fixture,
    env,
    encoding: 'utf8',
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('module boundaries (the rule in tools/eslint/module-boundaries.mjs)', () => {
  beforeAll(() => {
    // The rule reads Nx's cached project graph; build it for the fixture workspace.
    const graph = run('nx/bin/nx.js', ['show', 'projects']);
    expect(graph.status).toBe(0);
  });

  it('fails lint when a service imports another service, or a lib imports a service', () => {
    const { status, output } = run('eslint/bin/eslint.js', ['.']);
    expect(status).toBe(1);
    expect(output).toContain('services/alpha/src/reaches-into-beta.ts');
    expect(output).toContain(
      'A project tagged with "type:service" can only depend on libs tagged with "type:lib"',
    );
    expect(output).toContain('libs/shared/src/uses-a-service.ts');
    expect(output).toContain(
      'A project tagged with "type:lib" can only depend on libs tagged with "type:lib"',
    );
  });

  it('lets a service import a lib', () => {
    const { status, output } = run('eslint/bin/eslint.js', ['services/alpha/src/index.ts']);
    expect(output).not.toContain('enforce-module-boundaries');
    expect(status).toBe(0);
  });
});
