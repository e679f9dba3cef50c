import fs from 'node:fs';
import path from 'node:path';

import { lastLines, runCommand } from './processes';
import { REPO_ROOT } from './paths';
import { createDatabase, databaseUrl, serviceDatabaseName } from './postgres';

/** A service whose `src/database/data-source.ts` exports `createDataSource(url: string): DataSource`. */
export interface MigrationTarget {
  service: string;
  dataSourceFile: string;
}

export function findMigrationTargets(root = REPO_ROOT): MigrationTarget[] {
  const servicesDir = path.join(root, 'services');
  let names: string[];
  try {
    names = fs.readdirSync(servicesDir).sort();
  } catch {
    return [];
  }
  return names
    .map((service) => ({
      service,
      dataSourceFile: path.join(servicesDir, service, 'src', 'database', 'data-source.ts'),
    }))
    .filter((target) => fs.existsSync(target.dataSourceFile));
}

export interface MigrationResult {
  service: string;
  database: string;
  /** Names of the migrations this run applied (empty when the database was up to date). */
  applied: string[];
}

const MIGRATE_SCRIPT = path.join(__dirname, 'migrate-service.ts');

/**
 * Runs every service's pending TypeORM migrations against its own database (`duemap_<service>`,
 * created when missing). Each service runs in a child process under @swc-node/register, the way the
 * service itself runs, because TypeORM entities need the decorator metadata that tsx does not emit.
 * No services, or none with a data source: nothing to do.
 */
export async function runServiceMigrations(
  serverUrl: string,
  options: { root?: string; signal?: AbortSignal } = {},
): Promise<MigrationResult[]> {
  const results: MigrationResult[] = [];
  for (const target of findMigrationTargets(options.root)) {
    const database = serviceDatabaseName(target.service);
    await createDatabase(serverUrl, database);
    const run = await runCommand(
      process.execPath,
      ['-r', '@swc-node/register', MIGRATE_SCRIPT, target.dataSourceFile],
      {
        // swc-node reads the repository's tsconfig.json from the working directory.
        cwd: REPO_ROOT,
        env: { ...process.env, DATABASE_URL: databaseUrl(serverUrl, database) },
        signal: options.signal,
      },
    );
    const report = run.output.split('\n').find((line) => line.startsWith('{"applied"'));
    if (run.status !== 0 || !report) {
      throw new Error(`Migrations of ${target.service} failed:\n${lastLines(run.output, 40)}`);
    }
    const { applied } = JSON.parse(report) as { applied: string[] };
    results.push({ service: target.service, database, applied });
  }
  return results;
}
