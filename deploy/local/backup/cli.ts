/**
 * `npm run backup [-- --dir DIR]` and `npm run restore -- DIR [--no-offsets]`.
 * The stores are the ones `npm start` uses: DATABASE_URL's server (default 127.0.0.1:5432, or the
 * embedded one `npm start` wrote to .run/stack.json) and KAFKA_BROKERS (default 127.0.0.1:9092).
 */
import path from 'node:path';

import { findMigrationTargets } from '../migrations';
import { RUN_DIR } from '../paths';
import { serviceDatabaseName } from '../postgres';
import { readStack } from '../stack';
import { BackupError, backup, formatBytes } from './backup';
import { restore } from './restore';

const USAGE = `Usage:
  npm run backup [-- --dir DIR]          every service database (pg_dump -Fd) + manifest.json with
                                         the consumer groups' offsets; default DIR .run/backups/<time>
  npm run restore -- DIR [--no-offsets]  into empty databases, then the groups back to the
                                         manifest's offsets (stop the services first)`;

function stores(): { serverUrl: string; kafkaBrokers: string } {
  const stack = readStack()?.env;
  return {
    serverUrl:
      process.env.DATABASE_URL ?? stack?.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    kafkaBrokers: process.env.KAFKA_BROKERS ?? stack?.KAFKA_BROKERS ?? '127.0.0.1:9092',
  };
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const { serverUrl, kafkaBrokers } = stores();
  const services = findMigrationTargets().map((target) => target.service);
  if (command === 'backup') {
    const dirFlag = args.indexOf('--dir');
    const dir =
      dirFlag >= 0 && args[dirFlag + 1]
        ? path.resolve(args[dirFlag + 1] as string)
        : path.join(RUN_DIR, 'backups', new Date().toISOString().replace(/[:.]/g, '-'));
    const started = Date.now();
    const manifest = await backup({
      serverUrl,
      kafkaBrokers,
      dir,
      databases: services.map((service) => ({ service, database: serviceDatabaseName(service) })),
      groups: services,
      onProgress: log,
    });
    const bytes = manifest.databases.reduce((sum, db) => sum + db.bytes, 0);
    log(
      `backup: ${manifest.databases.length} databases (${formatBytes(bytes)}), offsets of ${Object.keys(manifest.kafka.groups).length} consumer groups, in ${((Date.now() - started) / 1000).toFixed(1)} s -> ${dir}`,
    );
    return 0;
  }
  if (command === 'restore') {
    const dir = args.find((arg) => !arg.startsWith('--'));
    if (!dir) {
      log(USAGE);
      return 64;
    }
    const started = Date.now();
    const result = await restore({
      dir: path.resolve(dir),
      serverUrl,
      kafkaBrokers,
      offsets: !args.includes('--no-offsets'),
      onProgress: log,
    });
    log(
      `restore: ${result.databases.length} databases, offsets of ${result.groups.length} consumer groups, in ${((Date.now() - started) / 1000).toFixed(1)} s. Start the services: their relays publish what the outboxes held, consumers re-read from the restored offsets.`,
    );
    return 0;
  }
  log(USAGE);
  return 64;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof BackupError ? error.message : String((error as Error).stack ?? error)}\n`,
    );
    process.exitCode = 1;
  },
);
