/**
 * `npm run api-keys -- <command>` on the gateway's database (DATABASE_URL, default duemap_gateway):
 *   create --name sap-connector [--roles integration] [--scope customers:write,invoices:write]
 *          [--sources sap] [--expires-at 2027-01-01T00:00:00Z]   prints the key, once
 *   list
 *   rotate <id> [--grace 3600]                                     prints the new key, once
 *   revoke <id>
 * A key revoked or rotated here stops working at every running gateway within 5 s (their caches).
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '@duemap/config';
import { gatewayConfig } from '../config';
import { createDataSource } from '../database/data-source';
import { ApiKeyRegistry, type IssuedApiKey } from './api-key-registry';
import { ApiKeyException } from './api-key.exception';
import { toApiKeyResponse } from './dtos/api-key.response.dto';

const list = (value: string | undefined): string[] | undefined =>
  value === undefined
    ? undefined
    : value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

function printIssued({ record, key }: IssuedApiKey): void {
  const view = toApiKeyResponse(record);
  console.log(`id:      ${view.id}`);
  console.log(`name:    ${view.name}`);
  console.log(`roles:   ${view.roles.join(', ')}`);
  console.log(`scope:   ${view.scope?.join(', ') ?? '(the roles decide)'}`);
  console.log(`sources: ${view.sources?.join(', ') ?? '(any)'}`);
  console.log(`key:     ${key}`);
  console.log('The key is shown this once; only its hash is kept.');
}

async function run(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      roles: { type: 'string' },
      scope: { type: 'string' },
      sources: { type: 'string' },
      'expires-at': { type: 'string' },
      grace: { type: 'string' },
    },
  });
  const [command, id] = positionals;
  const config = loadConfig(gatewayConfig, process.env, { service: 'gateway' });
  const dataSource = createDataSource(config.DATABASE_URL);
  await dataSource.initialize();
  try {
    const registry = new ApiKeyRegistry(dataSource);
    const by = `cli:${userInfo().username}`;
    switch (command) {
      case 'create': {
        if (!values.name) throw new Error('create needs --name');
        const expiresAt = values['expires-at'] ? new Date(values['expires-at']) : null;
        if (expiresAt && Number.isNaN(expiresAt.getTime())) throw new Error('--expires-at is not a date');
        printIssued(
          await registry.create({
            name: values.name,
            roles: list(values.roles),
            scope: list(values.scope),
            sources: list(values.sources),
            expiresAt,
            createdBy: by,
          }),
        );
        return;
      }
      case 'list':
        for (const key of (await registry.list()).map(toApiKeyResponse)) {
          console.log(
            [
              key.id,
              key.prefix,
              key.state.padEnd(8),
              key.name,
              key.scope?.join(',') ?? '-',
              key.sources?.join(',') ?? '-',
              key.lastUsedAt ?? 'never used',
            ].join('  '),
          );
        }
        return;
      case 'rotate':
        if (!id) throw new Error('rotate needs the key id');
        printIssued(await registry.rotate(id, Number(values.grace ?? 0), by));
        return;
      case 'revoke':
        if (!id) throw new Error('revoke needs the key id');
        console.log(`revoked ${toApiKeyResponse(await registry.revoke(id)).id}`);
        return;
      default:
        throw new Error(`unknown command ${command ?? '(none)'}: create, list, rotate or revoke`);
    }
  } finally {
    await dataSource.destroy();
  }
}

run(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    const details =
      err instanceof ApiKeyException ? err.details.map((d) => `\n  ${d.field}: ${d.message}`).join('') : '';
    console.error(`api-keys: ${err instanceof Error ? err.message : String(err)}${details}`);
    process.exit(1);
  },
);
