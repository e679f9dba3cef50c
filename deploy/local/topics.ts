import { Kafka, logLevel } from 'kafkajs';

/**
 * KAFKA_PARTITIONS (default 2): partitions per topic when topics are created. A topic's partitions
 * bound how many consumers of one group share its load, so a deployment sets it to the replicas it
 * plans per service. On one local broker every partition costs in every fetch of every group
 * (kafkajs sends no fetch sessions), and two cores gain nothing from more: ADR 0008.
 */
export const DEFAULT_TOPIC_PARTITIONS = 2;

export function topicPartitions(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.KAFKA_PARTITIONS?.trim() || String(DEFAULT_TOPIC_PARTITIONS);
  const partitions = Number(raw);
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new Error(`KAFKA_PARTITIONS must be a whole number of at least 1, not "${raw}"`);
  }
  return partitions;
}

export interface CreateTopicsOptions {
  /** Default: every Duemap topic and its `.dlq` twin, from @duemap/events. */
  topics?: readonly string[];
  partitions?: number;
}

export interface CreatedTopics {
  created: string[];
  existing: string[];
}

/**
 * Creates the topics that do not exist yet (the broker refuses to auto-create them). Existing topics
 * are left as they are, partitions included. The replication factor is the broker's default.
 */
export async function createTopics(
  brokers: string,
  options: CreateTopicsOptions = {},
): Promise<CreatedTopics> {
  // Loaded here, not at the top: `npm stop` must work even while someone is mid-edit in libs/events.
  const topics = options.topics ?? (await import('@duemap/events')).ALL_TOPICS_WITH_DLQ;
  const numPartitions = options.partitions ?? topicPartitions();
  const admin = new Kafka({
    clientId: 'duemap-topics',
    brokers: brokers.split(',').map((broker) => broker.trim()),
    logLevel: logLevel.ERROR,
  }).admin();
  await admin.connect();
  try {
    const present = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !present.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing.map((topic) => ({ topic, numPartitions })),
        waitForLeaders: true,
        timeout: 30_000,
      });
    }
    return { created: missing, existing: topics.filter((topic) => present.has(topic)) };
  } finally {
    await admin.disconnect();
  }
}
