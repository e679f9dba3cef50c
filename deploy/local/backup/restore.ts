/**
 * `npm run restore DIR`: the databases of a backup (backup.ts) into a stack whose databases are
 * empty or absent, then each consumer group moved back to the offsets the manifest recorded, so
 * consumers re-read what happened since the backup (the restored inboxes drop what the restored
 * databases had applied already). The services must be stopped: Kafka only moves the offsets of
 * a group without members. A broker that has not got the topics, or has none of the group's
 * events any more (a broker lost with the databases), is reported and left alone.
 */
import fs from 'node:fs';
import path from 'node:path';

import { Client } from 'pg';

import {
  BackupError,
  MANIFEST_FILE,
  MANIFEST_VERSION,
  kafkaAdmin,
  run,
  withDatabase,
  type DatabaseTarget,
  type Manifest,
} from './backup';

export interface RestoreOptions {
  dir: string;
  serverUrl: string;
  kafkaBrokers: string;
  /** Restore the backup's databases under other names (the restore drill in the tests). */
  rename?: (target: DatabaseTarget) => string;
  /** Default true: move consumer groups back to the manifest's offsets. */
  offsets?: boolean;
  pgRestore?: string;
  jobs?: number;
  onProgress?: (line: string) => void;
}

export interface RestoreResult {
  databases: { service: string; database: string; seconds: number }[];
  /** Groups whose offsets were set, and those left alone with the reason. */
  groups: { group: string; topics: number; skipped?: string }[];
}

export function readManifest(dir: string): Manifest {
  const file = path.join(dir, MANIFEST_FILE);
  if (!fs.existsSync(file))
    throw new BackupError(`${dir} has no ${MANIFEST_FILE}: not a backup made by npm run backup`);
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  if (manifest.version !== MANIFEST_VERSION) {
    throw new BackupError(
      `${file} is version ${String(manifest.version)}; this restore reads ${String(MANIFEST_VERSION)}`,
    );
  }
  return manifest;
}

export async function restore(options: RestoreOptions): Promise<RestoreResult> {
  const progress = options.onProgress ?? (() => undefined);
  const manifest = readManifest(options.dir);
  const pgRestore = options.pgRestore ?? process.env.PG_RESTORE ?? 'pg_restore';
  const targets = manifest.databases.map((entry) => ({
    ...entry,
    into: options.rename ? options.rename(entry) : entry.database,
  }));

  // Refuse before changing anything: a restore goes into an empty stack, never over data.
  for (const target of targets) {
    const tables = await tableCount(options.serverUrl, target.into);
    if (tables > 0) {
      throw new BackupError(
        `database ${target.into} already has ${tables} tables: restore into an empty stack (drop it first)`,
      );
    }
  }

  const result: RestoreResult = { databases: [], groups: [] };
  for (const [index, target] of targets.entries()) {
    const started = Date.now();
    await createDatabase(options.serverUrl, target.into);
    await run(pgRestore, [
      '--exit-on-error',
      '--no-owner',
      '--no-privileges',
      `--jobs=${options.jobs ?? 2}`,
      `--dbname=${withDatabase(options.serverUrl, target.into)}`,
      path.join(options.dir, target.dir),
    ]);
    const seconds = (Date.now() - started) / 1000;
    result.databases.push({ service: target.service, database: target.into, seconds });
    progress(`[${index + 1}/${targets.length}] ${target.into}: restored in ${seconds.toFixed(1)} s`);
  }

  if (options.offsets !== false)
    result.groups = await restoreOffsets(options.kafkaBrokers, manifest, progress);
  return result;
}

async function restoreOffsets(
  brokers: string,
  manifest: Manifest,
  progress: (line: string) => void,
): Promise<RestoreResult['groups']> {
  const admin = kafkaAdmin(brokers);
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const described = await admin.describeGroups(Object.keys(manifest.kafka.groups));
    const results: RestoreResult['groups'] = [];
    for (const [group, topics] of Object.entries(manifest.kafka.groups)) {
      const state = described.groups.find((g) => g.groupId === group);
      if (state && state.members.length > 0) {
        throw new BackupError(
          `consumer group ${group} has ${state.members.length} members: stop the services first`,
        );
      }
      const present = Object.keys(topics).filter((topic) => existing.has(topic));
      const missing = Object.keys(topics).length - present.length;
      for (const topic of present) {
        const low = await admin.fetchTopicOffsets(topic);
        // An offset below the log start (events deleted since) means from the start.
        const partitions = (topics[topic] ?? [])
          .filter((p) => p.offset !== '-1')
          .map((p) => {
            const start = low.find((l) => l.partition === p.partition)?.low ?? '0';
            return { partition: p.partition, offset: BigInt(p.offset) < BigInt(start) ? start : p.offset };
          });
        if (partitions.length > 0) await admin.setOffsets({ groupId: group, topic, partitions });
      }
      const skipped = missing > 0 ? `${missing} topics not on this broker` : undefined;
      results.push({ group, topics: present.length, ...(skipped ? { skipped } : {}) });
      progress(`group ${group}: offsets of ${present.length} topics set${skipped ? ` (${skipped})` : ''}`);
    }
    return results;
  } finally {
    await admin.disconnect();
  }
}

async function tableCount(serverUrl: string, database: string): Promise<number> {
  const admin = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!exists.rowCount) return 0;
  } finally {
    await admin.end();
  }
  const client = new Client({ connectionString: withDatabase(serverUrl, database) });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

async function createDatabase(serverUrl: string, database: string): Promise<void> {
  const admin = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!exists.rowCount) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(database)}`);
  } finally {
    await admin.end();
  }
}
