/**
 * The local issuer from the command line, on the gateway's database (DATABASE_URL, default duemap_gateway):
 *   npm run token -- --role finance --user alice [--role viewer] [--territory-provinces CN/广东省,CN/海南省]
 *                    [--territory-countries CN] [--territory-customers <id>,...] [--ttl 1h]
 *   npm run users -- add --user bob --role collector --password '...' [--name 'Bob'] [--provinces CN/广东省]
 *   npm run users -- list | disable --user bob | enable --user bob
 *   npm run keys:rotate
 *   identity.cli.ts demo-users <passwords.json>   (npm start) prints {"demoUsers":[...]}
 */
import { parseArgs } from 'node:util';
import { isRole, type Role, type Territory } from '@duemap/auth';
import { loadConfig } from '@duemap/config';
import { gatewayConfig } from '../config';
import { createDataSource } from '../database/data-source';
import { ensureDemoUsers } from './demo-users';
import { mintToken } from './mint-token';
import { SigningKeyStore } from './signing-keys';
import { UserException, UserStore } from './user-store';

const list = (values: (string | boolean)[] | undefined): string[] =>
  (values ?? [])
    .flatMap((value) => String(value).split(','))
    .map((s) => s.trim())
    .filter(Boolean);

function rolesOf(values: (string | boolean)[] | undefined): Role[] {
  const roles = list(values);
  const unknown = roles.filter((role) => !isRole(role));
  if (roles.length === 0 || unknown.length > 0) {
    throw new UserException(
      `--role must be one or more of admin, finance, collector, viewer, integration${unknown.length ? ` (not ${unknown.join(', ')})` : ''}`,
    );
  }
  return roles as Role[];
}

function territoryOf(values: {
  provinces?: (string | boolean)[];
  countries?: (string | boolean)[];
  customers?: (string | boolean)[];
  sales?: (string | boolean)[];
}): Territory | undefined {
  const territory: Territory = {
    countries: list(values.countries),
    provinces: list(values.provinces),
    salesTerritories: list(values.sales),
    customerIds: list(values.customers),
  };
  const empty = Object.values(territory).every((part: readonly string[]) => part.length === 0);
  return empty ? undefined : territory;
}

/** `90`, `90s`, `15m`, `1h`, `7d` in seconds. */
export function ttlSeconds(raw: string): number {
  const match = /^([1-9][0-9]*)(s|m|h|d)?$/.exec(raw.trim());
  if (!match) throw new UserException(`--ttl must look like 90s, 15m, 1h or 7d, not ${raw}`);
  const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[(match[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

async function token(argv: string[], databaseUrl: string): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      user: { type: 'string' },
      role: { type: 'string', multiple: true },
      ttl: { type: 'string' },
      'territory-provinces': { type: 'string', multiple: true },
      'territory-countries': { type: 'string', multiple: true },
      'territory-customers': { type: 'string', multiple: true },
      'territory-sales': { type: 'string', multiple: true },
    },
  });
  const roles = rolesOf(values.role);
  process.stdout.write(
    `${await mintToken(databaseUrl, {
      subject: values.user ?? `cli-${roles.join('-')}`,
      roles,
      territory: territoryOf({
        provinces: values['territory-provinces'],
        countries: values['territory-countries'],
        customers: values['territory-customers'],
        sales: values['territory-sales'],
      }),
      ttlSeconds: values.ttl === undefined ? undefined : ttlSeconds(values.ttl),
    })}\n`,
  );
}

async function users(argv: string[], databaseUrl: string): Promise<void> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      user: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string', multiple: true },
      password: { type: 'string' },
      provinces: { type: 'string', multiple: true },
      countries: { type: 'string', multiple: true },
      customers: { type: 'string', multiple: true },
      sales: { type: 'string', multiple: true },
    },
  });
  const dataSource = createDataSource(databaseUrl);
  await dataSource.initialize();
  try {
    const store = new UserStore(dataSource);
    switch (command) {
      case 'add': {
        if (!values.user || !values.password) throw new UserException('add needs --user and --password');
        const user = await store.add({
          username: values.user,
          displayName: values.name,
          password: values.password,
          roles: rolesOf(values.role),
          territory: territoryOf(values),
        });
        console.log(`added ${user.username} (${user.roles.join(', ')})`);
        return;
      }
      case 'list':
        for (const user of await store.list()) {
          const territory = user.territory ? ` territory=${JSON.stringify(user.territory)}` : '';
          console.log(
            `${user.username}\t${user.roles.join(',')}\t${user.disabled ? 'disabled' : 'active'}${territory}`,
          );
        }
        return;
      case 'disable':
      case 'enable': {
        if (!values.user) throw new UserException(`${command} needs --user`);
        if (!(await store.setDisabled(values.user, command === 'disable'))) {
          throw new UserException(`no user named ${values.user}`);
        }
        console.log(`${command}d ${values.user}`);
        return;
      }
      default:
        throw new UserException('usage: npm run users -- add|list|disable|enable [options]');
    }
  } finally {
    await dataSource.destroy();
  }
}

async function rotateKeys(databaseUrl: string, tokenTtlMs: number): Promise<void> {
  const dataSource = createDataSource(databaseUrl);
  await dataSource.initialize();
  try {
    const key = await new SigningKeyStore(dataSource, tokenTtlMs).rotate();
    console.log(`new signing key ${key.kid}; the previous ones verify until their tokens have expired`);
  } finally {
    await dataSource.destroy();
  }
}

async function demoUsers(file: string | undefined, databaseUrl: string): Promise<void> {
  if (!file) throw new UserException('usage: identity.cli.ts demo-users <passwords.json>');
  const dataSource = createDataSource(databaseUrl);
  await dataSource.initialize();
  try {
    console.log(JSON.stringify({ demoUsers: await ensureDemoUsers(dataSource, file) }));
  } finally {
    await dataSource.destroy();
  }
}

async function main(): Promise<void> {
  const [command, ...argv] = process.argv.slice(2);
  const config = loadConfig(gatewayConfig, process.env, { service: 'gateway' });
  switch (command) {
    case 'token':
      return token(argv, config.DATABASE_URL);
    case 'users':
      return users(argv, config.DATABASE_URL);
    case 'demo-users':
      return demoUsers(argv[0], config.DATABASE_URL);
    case 'keys:rotate':
      return rotateKeys(config.DATABASE_URL, config.AUTH_TOKEN_TTL);
    default:
      throw new UserException('usage: identity.cli.ts token|users|keys:rotate ...');
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof UserException ? err.message : err);
    process.exit(1);
  });
}
