import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Role, Territory } from '@duemap/auth';
import type { DataSource } from 'typeorm';
import { UserStore } from './user-store';

interface DemoUser {
  username: string;
  displayName: string;
  roles: Role[];
  territory?: Territory;
}

/** The people a local stack (`npm start`) signs in as. */
export const DEMO_USERS: readonly DemoUser[] = [
  { username: 'admin', displayName: 'Administrator 管理员', roles: ['admin'] },
  { username: 'finance', displayName: 'Finance 财务', roles: ['finance'] },
  {
    username: 'south',
    displayName: 'South China collector 华南催收',
    roles: ['collector'],
    territory: {
      countries: [],
      provinces: ['CN/广东省', 'CN/广西壮族自治区', 'CN/海南省'],
      salesTerritories: [],
      customerIds: [],
    },
  },
  { username: 'viewer', displayName: 'Viewer 只读', roles: ['viewer'] },
];

export interface DemoCredential {
  username: string;
  roles: Role[];
  /** Undefined when the user existed without a password in the file (set by hand). */
  password?: string;
}

function passwordsIn(file: string): Record<string, string> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const made = Object.fromEntries(DEMO_USERS.map((u) => [u.username, randomBytes(12).toString('base64url')]));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Owner only, and never overwritten: the passwords are what the demo users were created with.
  fs.writeFileSync(file, `${JSON.stringify(made, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return made;
}

/**
 * Creates the demo users missing from the gateway's database, with passwords generated once into
 * `file` (git-ignored .cache/ of the checkout), and returns what `npm start` prints.
 */
export async function ensureDemoUsers(dataSource: DataSource, file: string): Promise<DemoCredential[]> {
  const passwords = passwordsIn(file);
  const users = new UserStore(dataSource);
  const result: DemoCredential[] = [];
  for (const demo of DEMO_USERS) {
    const password = passwords[demo.username];
    const existing = await users.find(demo.username);
    if (!existing && password) await users.add({ ...demo, password });
    result.push({ username: demo.username, roles: demo.roles, password });
  }
  return result;
}
