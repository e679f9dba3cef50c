import { ConfigResourceTypes, ConfigSource, Kafka, logLevel, type Admin, type KafkaConfig } from 'kafkajs';

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

const DAY_MS = 24 * 3600_000;

/**
 * The retention every Duemap topic is created with. Kafka deletes whole segments, so a message
 * stays until the newest in its segment is `retention.ms` old: up to `retention.ms + segment.ms`
 * after it was written (14 days with the broker defaults of 7 and 7). Consumers' inboxes must
 * outlast that (INBOX_RETENTION, checked at start, ADR 0012); one-day segments bound it to 8 days.
 */
export const TOPIC_CONFIG: Readonly<Record<string, string>> = {
  'retention.ms': String(7 * DAY_MS),
  'segment.ms': String(1 * DAY_MS),
};

export interface CreateTopicsOptions {
  /** Default: every Duemap topic and its `.dlq` twin, from @duemap/events. */
  topics?: readonly string[];
  partitions?: number;
  /** `sasl`/`ssl` of the admin client, for a broker that authenticates. */
  clientSecurity?: Pick<KafkaConfig, 'sasl' | 'ssl'>;
}

export interface CreatedTopics {
  created: string[];
  existing: string[];
  /** Existing topics that were given TOPIC_CONFIG values they lacked. */
  configured: string[];
}

/**
 * Creates the topics that do not exist yet (the broker refuses to auto-create them), with
 * TOPIC_CONFIG. Existing topics keep their partitions and any retention set on the topic itself;
 * one that follows the broker's defaults (topics created before TOPIC_CONFIG existed) is given
 * TOPIC_CONFIG, so that the inbox retention check passes on a machine that has run Duemap before.
 * The replication factor is the broker's default.
 */
export async function createTopics(
  brokers: string,
  options: CreateTopicsOptions = {},
): Promise<CreatedTopics> {
  // Loaded here, not at the top: `npm stop` must work even while someone is mid-edit in libs/events.
  const topics = options.topics ?? (await import('@duemap/events')).ALL_TOPICS_WITH_DLQ;
  const numPartitions = options.partitions ?? topicPartitions();
  const admin = new Kafka({
    ...options.clientSecurity,
    clientId: 'duemap-topics',
    brokers: brokers.split(',').map((broker) => broker.trim()),
    logLevel: logLevel.ERROR,
  }).admin();
  await admin.connect();
  try {
    const present = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !present.has(topic));
    const existing = topics.filter((topic) => present.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing.map((topic) => ({
          topic,
          numPartitions,
          configEntries: Object.entries(TOPIC_CONFIG).map(([name, value]) => ({ name, value })),
        })),
        waitForLeaders: true,
        timeout: 30_000,
      });
    }
    const configured = await completeTopicConfig(admin, existing);
    return { created: missing, existing, configured };
  } finally {
    await admin.disconnect();
  }
}

/**
 * Adds the TOPIC_CONFIG entries a topic does not set itself. AlterConfigs (the only form kafkajs
 * speaks) replaces all of a topic's own settings, so the ones it has are sent along unchanged.
 */
async function completeTopicConfig(admin: Admin, topics: readonly string[]): Promise<string[]> {
  if (topics.length === 0) return [];
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
  });
  const changes = resources.flatMap((resource) => {
    const own = resource.configEntries.filter((entry) => entry.configSource === ConfigSource.TOPIC_CONFIG);
    const missing = Object.keys(TOPIC_CONFIG).filter(
      (name) => !own.some((entry) => entry.configName === name),
    );
    if (missing.length === 0) return [];
    return [
      {
        type: ConfigResourceTypes.TOPIC,
        name: resource.resourceName,
        configEntries: [
          ...own.map((entry) => ({ name: entry.configName, value: entry.configValue })),
          ...missing.map((name) => ({ name, value: TOPIC_CONFIG[name] as string })),
        ],
      },
    ];
  });
  if (changes.length > 0) await admin.alterConfigs({ validateOnly: false, resources: changes });
  return changes.map((change) => change.name);
}
