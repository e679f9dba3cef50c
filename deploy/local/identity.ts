import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CACHE_DIR, REPO_ROOT } from './paths';
import { lastLines, runCommand } from './processes';

export const IDENTITY_SECRET_FILE = path.join(CACHE_DIR, 'identity-secret');
export const DEMO_USERS_FILE = path.join(CACHE_DIR, 'demo-users.json');
const IDENTITY_CLI = path.join('services', 'gateway', 'src', 'identity', 'identity.cli.ts');

/**
 * The IDENTITY_SECRET of this checkout's stack (the gateway signs identities with it, every service
 * checks them): made once at random into .cache/ (git-ignored, owner-only), so no two machines share
 * one and the development default of libs/config is never what `npm start` runs with.
 */
export function localIdentitySecret(file = IDENTITY_SECRET_FILE): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return secret;
}

export interface DemoCredential {
  username: string;
  roles: string[];
  password?: string;
}

/** The gateway's identity CLI on its database, the way the gateway runs (swc, for TypeORM's decorators). */
async function identityCli(gatewayDatabaseUrl: string, args: string[], expect: RegExp): Promise<string> {
  const run = await runCommand(process.execPath, ['-r', '@swc-node/register', IDENTITY_CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATABASE_URL: gatewayDatabaseUrl },
  });
  const line = run.output.split('\n').find((l) => expect.test(l));
  if (run.status !== 0 || !line) {
    throw new Error(`identity.cli.ts ${args[0]} failed:\n${lastLines(run.output, 20)}`);
  }
  return line.trim();
}

/** Creates the demo users missing from the gateway's database (passwords made once into .cache/). */
export async function ensureDemoUsers(
  gatewayDatabaseUrl: string,
  file = DEMO_USERS_FILE,
): Promise<DemoCredential[]> {
  const line = await identityCli(gatewayDatabaseUrl, ['demo-users', file], /^\{"demoUsers"/);
  return (JSON.parse(line) as { demoUsers: DemoCredential[] }).demoUsers;
}

/** An admin token for the demo data loader, signed by the local issuer like any sign-in's. */
export function demoLoaderToken(gatewayDatabaseUrl: string): Promise<string> {
  return identityCli(
    gatewayDatabaseUrl,
    ['token', '--role', 'admin', '--user', 'demo-data', '--ttl', '1h'],
    /^ey[\w-]+\.[\w-]+\.[\w-]+$/,
  );
}
