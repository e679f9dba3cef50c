/**
 * Restore drill: two service databases with their real migrations and some state, and a consumer
 * group with committed offsets -> backup -> the databases dropped and the offsets moved -> restore
 * -> every table has the same rows, new rows continue the identity sequences, the group is back
 * at its offsets, and a second restore over the restored data is refused.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  createTestDatabase,
  createTestTopics,
  testKafka,
  testTopicName,
  uniqueName,
  type TestDatabase,
} from '@duemap/testing';
import { Client } from 'pg';

import { BackupError, backup, type DatabaseTarget } from '../backup/backup';
import { readManifest, restore } from '../backup/restore';
import { REPO_ROOT } from '../paths';
import { runCommand } from '../processes';

const SERVICES = ['payments', 'customers'] as const;
const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

async function query<T extends Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** table -> row count and an md5 over its rows in a stable order. */
async function fingerprint(url: string): Promise<Record<string, string>> {
  const tables = await query<{ name: string }>(
    url,
    `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables
      WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
  );
  const result: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await query<{ n: string; md5: string | null }>(
      url,
      `SELECT count(*) AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS md5 FROM ${name} t`,
    );
    result[name] = `${row?.n} rows ${row?.md5 ?? '-'}`;
  }
  return result;
}

describe('npm run backup / npm run restore', () => {
  const databases = new Map<string, TestDatabase>();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duemap-backup-'));
  const kafka = testKafka(brokers.split(','));
  const admin = kafka.admin();
  const topic = testTopicName('backup-drill');
  const group = uniqueName('backup_drill');

  beforeAll(async () => {
    await admin.connect();
    for (const service of SERVICES)
      databases.set(service, await createTestDatabase(`backup_${service}`, serverUrl));
    await Promise.all(
      SERVICES.map(async (service) => {
        const run = await runCommand(
          process.execPath,
          [
            '-r',
            '@swc-node/register',
            'deploy/local/migrate-service.ts',
            path.join(REPO_ROOT, 'services', service, 'src', 'database', 'data-source.ts'),
          ],
          { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: databases.get(service)?.url ?? '' } },
        );
        if (run.status !== 0) throw new Error(`migrations of ${service}: ${run.output}`);
      }),
    );
    // Some state: consumed events in each inbox, pending events in each outbox.
    for (const database of databases.values()) {
      await query(
        database.url,
        `INSERT INTO inbox (consumer_group, event_id, topic, partition, "offset")
         SELECT 'drill', gen_random_uuid(), 'payments.payment-received.v1', n % 2, n FROM generate_series(1, 500) n`,
      );
      await query(
        database.url,
        `INSERT INTO outbox (event_id, topic, message_key, event_type, payload, headers, shard)
         SELECT gen_random_uuid(), 'payments.payment-received.v1', 'customer-' || n, 'duemap.payments.v1.PaymentReceived',
                convert_to('payload ' || n, 'UTF8'), '{}'::jsonb, n % 16 FROM generate_series(1, 50) n`,
      );
    }
    await createTestTopics(kafka, [topic], { partitions: 2, withDlq: false });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: 6 }, (_, i) => ({ partition: i % 2, value: `m${i}` })),
    });
    await producer.disconnect();
    await admin.setOffsets({
      groupId: group,
      topic,
      partitions: [
        { partition: 0, offset: '2' },
        { partition: 1, offset: '3' },
      ],
    });
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.deleteGroups([group]).catch(() => undefined);
    await admin.disconnect();
    for (const database of databases.values()) await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('restores every row and the consumer offsets into an empty stack', async () => {
    const targets: DatabaseTarget[] = SERVICES.map((service) => ({
      service,
      database: databases.get(service)?.name ?? '',
    }));
    const before = new Map<string, Record<string, string>>();
    for (const [service, database] of databases) before.set(service, await fingerprint(database.url));
    expect(Object.keys(before.get('payments') ?? {}).length).toBeGreaterThan(5);

    const progress: string[] = [];
    const manifest = await backup({
      serverUrl,
      databases: targets,
      kafkaBrokers: brokers,
      groups: [group, uniqueName('never_committed')],
      dir: path.join(dir, 'backup'),
      onProgress: (line) => progress.push(line),
    });
    expect(progress.filter((line) => /^\[\d\/2\] /.test(line))).toHaveLength(2);
    expect(manifest.kafka.groups).toEqual({
      [group]: {
        [topic]: [
          { partition: 0, offset: '2' },
          { partition: 1, offset: '3' },
        ],
      },
    });
    expect(readManifest(path.join(dir, 'backup')).databases.map((db) => db.database)).toEqual(
      targets.map((t) => t.database),
    );
    await expect(
      backup({
        serverUrl,
        databases: targets,
        kafkaBrokers: brokers,
        groups: [],
        dir: path.join(dir, 'backup'),
      }),
    ).rejects.toThrow(BackupError);

    // Disaster: the databases are gone, the group was moved.
    for (const database of databases.values()) {
      await query(serverUrl, `DROP DATABASE ${JSON.stringify(database.name)} WITH (FORCE)`);
    }
    await admin.setOffsets({
      groupId: group,
      topic,
      partitions: [
        { partition: 0, offset: '0' },
        { partition: 1, offset: '0' },
      ],
    });

    const result = await restore({ dir: path.join(dir, 'backup'), serverUrl, kafkaBrokers: brokers });
    expect(result.groups).toEqual([{ group, topics: 1 }]);
    for (const [service, database] of databases) {
      expect(await fingerprint(database.url)).toEqual(before.get(service));
      // The identity sequences come back too: a new outbox row sorts after the restored ones.
      const [row] = await query<{ newer: boolean }>(
        database.url,
        `WITH added AS (
           INSERT INTO outbox (event_id, topic, message_key, event_type, payload, headers, shard)
           VALUES (gen_random_uuid(), 't', 'k', 'e', '\\x00', '{}', 0) RETURNING id)
         SELECT (SELECT id FROM added) > (SELECT max(id) FROM outbox) AS newer`,
      );
      expect(row?.newer).toBe(true);
    }
    const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    expect(offsets[0]?.partitions.sort((a, b) => a.partition - b.partition).map((p) => p.offset)).toEqual([
      '2',
      '3',
    ]);

    // A restore goes into an empty stack, never over data.
    await expect(
      restore({ dir: path.join(dir, 'backup'), serverUrl, kafkaBrokers: brokers }),
    ).rejects.toThrow(/already has \d+ tables: restore into an empty stack/);
  });
});
