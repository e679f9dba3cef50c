/**
 * `npm run backup`: every service's database with `pg_dump --format=directory`, and a
 * manifest.json with the time and the Kafka consumer groups' committed offsets (read through the
 * kafkajs admin client). `npm run restore DIR` (restore.ts) puts them back into an empty stack.
 *
 * What a backup is, in Duemap's terms: each database is consistent in itself (pg_dump reads one
 * snapshot), and its outbox holds the events it had not published yet, so after a restore the
 * relay publishes them again (consumers' inboxes drop those they had applied). The offsets are
 * taken before the dumps start: a consumer restored to a database older than the offsets it had
 * committed would skip events, so restore.ts can move each group back to the manifest's offsets,
 * and whatever is redelivered from there the inbox absorbs.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { Kafka, logLevel } from 'kafkajs';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_VERSION = 1;

export interface DatabaseTarget {
  service: string;
  /** Database name on the server (`duemap_<service>`). */
  database: string;
}

export interface PartitionOffset {
  partition: number;
  /** The group's committed offset; -1 when it has none on that partition. */
  offset: string;
}

export interface Manifest {
  version: typeof MANIFEST_VERSION;
  /** When the offsets were read, just before the first dump (RFC 3339). */
  takenAt: string;
  /** When the last dump finished. */
  finishedAt: string;
  databases: (DatabaseTarget & { dir: string; tables: number; bytes: number; seconds: number })[];
  kafka: {
    brokers: string;
    /** group -> topic -> committed offsets per partition. */
    groups: Record<string, Record<string, PartitionOffset[]>>;
  };
  pgDump: string;
}

export interface BackupOptions {
  /** Any database URL of the server (`postgres://postgres@127.0.0.1:5432/postgres`). */
  serverUrl: string;
  databases: readonly DatabaseTarget[];
  kafkaBrokers: string;
  /** Consumer groups to record (Duemap's groups are named after their services). */
  groups: readonly string[];
  /** A directory that does not exist yet, or is empty. */
  dir: string;
  pgDump?: string;
  /** Parallel jobs per pg_dump. */
  jobs?: number;
  onProgress?: (line: string) => void;
}

export class BackupError extends Error {}

export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function backup(options: BackupOptions): Promise<Manifest> {
  const progress = options.onProgress ?? (() => undefined);
  if (fs.existsSync(options.dir) && fs.readdirSync(options.dir).length > 0) {
    throw new BackupError(`${options.dir} is not empty: a backup goes into a new directory`);
  }
  fs.mkdirSync(options.dir, { recursive: true });
  const pgDump = options.pgDump ?? process.env.PG_DUMP ?? 'pg_dump';
  const version = (await run(pgDump, ['--version'])).trim();

  const takenAt = new Date().toISOString();
  progress(`consumer group offsets of ${options.groups.length} groups from ${options.kafkaBrokers}`);
  const groups = await readGroupOffsets(options.kafkaBrokers, options.groups);

  const databases: Manifest['databases'] = [];
  for (const [index, target] of options.databases.entries()) {
    const started = Date.now();
    const dir = target.database;
    await run(pgDump, [
      '--format=directory',
      `--jobs=${options.jobs ?? 2}`,
      '--no-owner',
      '--no-privileges',
      `--file=${path.join(options.dir, dir)}`,
      `--dbname=${withDatabase(options.serverUrl, target.database)}`,
    ]);
    const bytes = directoryBytes(path.join(options.dir, dir));
    const tables = fs
      .readdirSync(path.join(options.dir, dir))
      .filter((name) => /^\d+\.dat/.test(name)).length;
    const seconds = (Date.now() - started) / 1000;
    databases.push({ ...target, dir, tables, bytes, seconds });
    progress(
      `[${index + 1}/${options.databases.length}] ${target.database}: ${tables} tables, ${formatBytes(bytes)} in ${seconds.toFixed(1)} s`,
    );
  }
  const manifest: Manifest = {
    version: MANIFEST_VERSION,
    takenAt,
    finishedAt: new Date().toISOString(),
    databases,
    kafka: { brokers: options.kafkaBrokers, groups },
    pgDump: version,
  };
  fs.writeFileSync(path.join(options.dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

export function kafkaAdmin(brokers: string): ReturnType<Kafka['admin']> {
  return new Kafka({
    clientId: 'duemap-backup',
    brokers: brokers.split(',').map((broker) => broker.trim()),
    logLevel: logLevel.NOTHING,
  }).admin();
}

/** Committed offsets of each group on every topic it has committed on (groups without any: none). */
export async function readGroupOffsets(
  brokers: string,
  groups: readonly string[],
): Promise<Manifest['kafka']['groups']> {
  const admin = kafkaAdmin(brokers);
  await admin.connect();
  try {
    const result: Manifest['kafka']['groups'] = {};
    for (const groupId of groups) {
      const topics = await admin.fetchOffsets({ groupId });
      const committed = topics.filter((topic) => topic.partitions.some((p) => p.offset !== '-1'));
      if (committed.length === 0) continue;
      result[groupId] = Object.fromEntries(
        committed
          .sort((a, b) => a.topic.localeCompare(b.topic))
          .map((topic) => [
            topic.topic,
            topic.partitions
              .map(({ partition, offset }) => ({ partition, offset }))
              .sort((a, b) => a.partition - b.partition),
          ]),
      );
    }
    return result;
  } finally {
    await admin.disconnect();
  }
}

/** Runs a PostgreSQL client program; its stderr names what went wrong when it fails. */
export function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        new BackupError(
          error.code === 'ENOENT'
            ? `${command} is not installed (Debian: apt-get install postgresql-client; or set PG_DUMP / PG_RESTORE)`
            : error.message,
        ),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else
        reject(
          new BackupError(
            `${path.basename(command)} exited ${code}: ${stderr.trim().split('\n').slice(-5).join('\n')}`,
          ),
        );
    });
  });
}

function directoryBytes(dir: string): number {
  return fs.readdirSync(dir).reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}
