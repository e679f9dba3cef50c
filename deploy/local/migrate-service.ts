/**
 * Child process of migrations.ts: `DATABASE_URL=... node -r @swc-node/register migrate-service.ts
 * <data-source.ts>` runs that service's pending migrations and prints `{"applied":[...]}`.
 */
import type { DataSource } from 'typeorm';

interface DataSourceModule {
  createDataSource?: (url: string) => DataSource;
}

async function main(): Promise<void> {
  const file = process.argv[2];
  const url = process.env.DATABASE_URL;
  if (!file || !url) throw new Error('usage: DATABASE_URL=<url> migrate-service.ts <data-source.ts>');
  const source = (await import(file)) as DataSourceModule;
  if (typeof source.createDataSource !== 'function') {
    throw new Error(`${file} does not export createDataSource(url: string): DataSource`);
  }
  const dataSource = source.createDataSource(url);
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations();
    process.stdout.write(JSON.stringify({ applied: applied.map((migration) => migration.name) }) + '\n');
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
