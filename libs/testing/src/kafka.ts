import { TOPIC_CONFIG } from '@duemap/local-stack/topics';
import { Kafka, logLevel, type IHeaders, type KafkaMessage } from 'kafkajs';
import { testEnv, uniqueName, waitFor } from './test-env';

export function testKafka(brokers: string[] = testEnv.kafkaBrokers): Kafka {
  return new Kafka({ clientId: 'duemap-test', brokers, logLevel: logLevel.NOTHING });
}

/**
 * Creates topics (and their .dlq twins when asked) private to one test, configured as `npm start`
 * configures Duemap's (so a consumer's inbox retention check passes on them).
 */
export async function createTestTopics(
  kafka: Kafka,
  names: string[],
  { partitions = 3, withDlq = true } = {},
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const all = withDlq ? names.flatMap((n) => [n, `${n}.dlq`]) : names;
    await admin.createTopics({
      waitForLeaders: false,
      topics: all.map((topic) => ({
        topic,
        numPartitions: partitions,
        replicationFactor: 1,
        configEntries: Object.entries(TOPIC_CONFIG).map(([name, value]) => ({ name, value })),
      })),
    });
    // kafkajs's waitForLeaders gives up when the broker does not know the new topic yet (a loaded
    // machine, a broker just started): wait for every partition's leader here instead.
    await waitFor(
      'the new topics to have leaders',
      async () => {
        const { topics } = await admin.fetchTopicMetadata({ topics: all });
        return topics.every((t) => t.partitions.every((p) => p.leader >= 0)) ? true : undefined;
      },
      { timeoutMs: 30_000 },
    );
  } finally {
    await admin.disconnect();
  }
}

export function testTopicName(event: string): string {
  return `test.${uniqueName(event).replace(/_/g, '-')}.v1`;
}

export interface CollectedMessage {
  partition: number;
  message: KafkaMessage;
  header(name: string): string | undefined;
}

function headerValue(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first?.toString();
}

/** Reads a topic from the beginning until `count` messages arrived or the deadline passed. */
export async function collectMessages(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<CollectedMessage[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('collector') });
  const collected: CollectedMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`expected ${count} messages on ${topic}, got ${collected.length}`)),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: ({ partition, message }) => {
            collected.push({ partition, message, header: (n) => headerValue(message.headers, n) });
            if (collected.length >= count) {
              clearTimeout(timer);
              resolve();
            }
            return Promise.resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return collected;
}
