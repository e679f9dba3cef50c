import fs from 'node:fs';
import path from 'node:path';
import { isAlive, stopProcessGroup } from '@duemap/local-stack/processes';
import { createTopics } from '@duemap/local-stack/topics';
import { Kafka, logLevel } from 'kafkajs';
import { startPrivateKafka, type PrivateKafka } from './private-kafka';

/**
 * Set by the integration project's global setup (tools/jest/integration.global-setup.ts): a
 * directory where each Jest worker records the broker it keeps between spec files.
 */
export const WORKER_KAFKA_DIR_ENV = 'DUEMAP_TEST_KAFKA_DIR';

interface WorkerBrokerRecord {
  brokers: string[];
  pid: number;
  dataDir: string;
  /** Of each Duemap topic: a spec that wants another count gets a broker of its own. */
  partitions: number;
}

function recordFile(dir: string): string {
  return path.join(dir, `worker-${process.env.JEST_WORKER_ID ?? '1'}.json`);
}

function readRecord(file: string): WorkerBrokerRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as WorkerBrokerRecord;
  } catch {
    return undefined;
  }
}

/**
 * A broker as private as startPrivateKafka's — every Duemap topic and .dlq twin, empty, no consumer
 * groups — but kept for the Jest worker's next spec file instead of booting a JVM per file. A worker
 * runs one file at a time, so between files the broker is wiped (groups deleted, Duemap topics emptied,
 * others deleted); a broker that cannot be wiped (a group still has members) is replaced. Without the
 * integration project's global setup it is simply startPrivateKafka.
 */
export async function workerKafka({ partitions = 3 }: { partitions?: number } = {}): Promise<PrivateKafka> {
  const dir = process.env[WORKER_KAFKA_DIR_ENV];
  if (!dir) return startPrivateKafka({ partitions });
  const file = recordFile(dir);
  const kept = readRecord(file);
  if (kept) {
    if (isAlive(kept.pid) && kept.partitions === partitions && (await wipe(kept.brokers, partitions))) {
      return lend(kept);
    }
    await stopRecorded(kept);
  }
  fs.rmSync(file, { force: true });
  const started = await startPrivateKafka({ partitions });
  const record: WorkerBrokerRecord = {
    brokers: started.brokers,
    pid: started.broker.pid,
    dataDir: started.dataDir,
    partitions,
  };
  fs.writeFileSync(file, JSON.stringify(record));
  return lend(record);
}

/** The worker's broker for one spec file: stopping it leaves it running for the next file. */
function lend(record: WorkerBrokerRecord): PrivateKafka {
  return {
    brokers: record.brokers,
    broker: {
      brokers: record.brokers.join(','),
      pid: record.pid,
      reused: true,
      stop: () => Promise.resolve(),
    },
    dataDir: record.dataDir,
    stop: () => Promise.resolve(),
  };
}

/**
 * Deletes every consumer group and every topic a spec created, empties the Duemap topics and creates
 * those missing; false if it could not.
 */
async function wipe(brokers: string[], partitions: number): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'spec-wipe',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { groups } = await admin.listGroups();
    if (groups.length > 0) {
      const results = await admin.deleteGroups(groups.map((group) => group.groupId));
      if (results.some((result) => result.errorCode !== 0)) return false;
    }
    // Duemap's topics are emptied, not deleted: a topic created again under the same name answers
    // "not the leader" for a while. Topics a spec made up (unique names) go.
    const duemap = new Set<string>((await import('@duemap/events')).ALL_TOPICS_WITH_DLQ);
    const topics = (await admin.listTopics()).filter((topic) => !topic.startsWith('__'));
    const own = topics.filter((topic) => !duemap.has(topic));
    if (own.length > 0) await admin.deleteTopics({ topics: own, timeout: 30_000 });
    await Promise.all(
      topics
        .filter((topic) => duemap.has(topic))
        .map(async (topic) => {
          const offsets = await admin.fetchTopicOffsets(topic);
          const written = offsets.filter((o) => o.high !== o.low);
          if (written.length === 0) return;
          await admin.deleteTopicRecords({
            topic,
            partitions: written.map((o) => ({ partition: o.partition, offset: o.high })),
          });
        }),
    );
    await createTopics(brokers.join(','), { partitions });
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function stopRecorded(record: WorkerBrokerRecord): Promise<void> {
  await stopProcessGroup(record.pid, { signal: 'SIGKILL', graceMs: 5_000 });
  fs.rmSync(record.dataDir, { recursive: true, force: true });
}

/** The global teardown's part: stops the broker every worker kept, and removes the directory. */
export async function stopWorkerKafkas(dir: string): Promise<void> {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => name.endsWith('.json')) : [];
  for (const name of files) {
    const record = readRecord(path.join(dir, name));
    if (record) await stopRecorded(record);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}
