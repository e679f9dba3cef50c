import { Writable } from 'node:stream';
import { createTopics, TOPIC_CONFIG } from '@duemap/local-stack/topics';
import { testEnv, testLogger, testTopicName, waitFor } from '@duemap/testing';
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import pino from 'pino';
import { DEFAULT_INBOX_RETENTION_MS, MessagingRuntime, subscribe } from '../src';
import { startHarness, type Harness, type PaymentTopic } from './messaging-harness';

const DAY_MS = 24 * 3600_000;

// Kafka can redeliver a message up to retention.ms + segment.ms after it was written (whole segments
// are deleted), and a group whose offsets expired starts over from the oldest message kept. An inbox
// row purged before that lets a redelivered event be applied twice: the runtime must refuse to start
// such a purge, and the topics Duemap creates must make the default inbox retention safe.
describe('inbox retention against the topics’ configuration', () => {
  let h: Harness;
  let admin: Admin;
  const runtimes: MessagingRuntime[] = [];

  /** A topic as a broker with default settings creates it, or with the given settings. */
  async function topicWith(name: string, configs: Record<string, string> = {}): Promise<PaymentTopic> {
    const topic: PaymentTopic = { name: testTopicName(name), schema: h.topic.schema };
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: topic.name,
          numPartitions: 1,
          configEntries: Object.entries(configs).map(([key, value]) => ({ name: key, value })),
        },
      ],
    });
    return topic;
  }

  function runtimeOn(
    topic: PaymentTopic,
    inboxPurge: ConstructorParameters<typeof MessagingRuntime>[0]['inboxPurge'] = {},
    logger = testLogger(),
  ): MessagingRuntime {
    const runtime = new MessagingRuntime({
      serviceName: 'inbox-retention-test',
      brokers: testEnv.kafkaBrokers,
      dataSource: h.dataSource,
      logger,
      relay: false,
      subscriptions: [subscribe(topic, () => Promise.resolve())],
      consumerGroup: `group-${topic.name}`,
      inboxPurge,
    });
    runtimes.push(runtime);
    return runtime;
  }

  async function topicConfig(topic: string): Promise<Record<string, string>> {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms', 'segment.ms'] },
      ],
    });
    return Object.fromEntries((resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]));
  }

  async function groupState(groupId: string): Promise<string | undefined> {
    const { groups } = await admin.describeGroups([groupId]);
    return groups[0]?.state;
  }

  beforeAll(async () => {
    h = await startHarness('inbox-retention', { partitions: 1 });
    admin = h.kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    for (const runtime of runtimes) await runtime.stop();
    await admin?.disconnect();
    await h?.close();
  });

  it('refuses to start a consumer on a topic with the broker’s default 7-day segments', async () => {
    const topic = await topicWith('default-segments');
    const runtime = runtimeOn(topic);

    const refused = runtime.start();
    await expect(refused).rejects.toThrow(/INBOX_RETENTION/);
    const message = await refused.catch((err: Error) => err.message);
    expect(message).toContain(`INBOX_RETENTION is ${DEFAULT_INBOX_RETENTION_MS} ms (9d)`);
    expect(message).toContain(`${topic.name} (retention.ms 604800000 = 7d + segment.ms 604800000 = 7d)`);
    expect(message).toContain('up to 1209600000 ms (14d)');
    // Nothing consumed: the group never joined.
    expect(await groupState(`group-${topic.name}`)).toBe('Dead');
  });

  it('refuses an inbox retention equal to the window, accepts one just longer', async () => {
    // 2 days in 1-hour segments: a window of 49 hours.
    const topic = await topicWith('short', { 'retention.ms': String(2 * DAY_MS), 'segment.ms': '3600000' });
    await expect(runtimeOn(topic, { retentionMs: 49 * 3600_000 }).start()).rejects.toThrow(
      `${topic.name} (retention.ms 172800000 = 2d + segment.ms 3600000 = 1h)`,
    );
    await expect(runtimeOn(topic, { retentionMs: 49 * 3600_000 + 1 }).start()).resolves.toBeUndefined();
  });

  it('starts on the topics Duemap creates, and purges there', async () => {
    // startHarness made its topic as `npm start` makes Duemap's: 7-day retention in 1-day segments.
    expect(await topicConfig(h.topic.name)).toEqual(TOPIC_CONFIG);
    const insertAged = (days: number): Promise<unknown> =>
      h.dataSource.query(
        `INSERT INTO inbox (consumer_group, event_id, topic, partition, "offset", processed_at)
         VALUES ('retention-test', gen_random_uuid(), $1, 0, 0, now() - make_interval(days => $2))`,
        [h.topic.name, days],
      );
    await insertAged(10);
    await insertAged(1);
    await runtimeOn(h.topic, { intervalMs: 50 }).start();
    // The default retention (9 days) purges the 10-day-old row and keeps the other.
    await waitFor('the purge of the 10-day-old row', async () => {
      const rows = await h.dataSource.query<{ n: string }[]>(
        `SELECT count(*) AS n FROM inbox WHERE consumer_group = 'retention-test'`,
      );
      return Number(rows[0]?.n) === 1 ? true : undefined;
    });
  });

  it('gives topics created before that the configuration, keeping what a topic sets itself', async () => {
    const old = await topicWith('created-before');
    const tuned = await topicWith('tuned', { 'retention.ms': String(30 * DAY_MS) });
    const result = await createTopics(testEnv.kafkaBrokers.join(','), { topics: [old.name, tuned.name] });
    expect(result).toEqual({
      created: [],
      existing: [old.name, tuned.name],
      configured: expect.arrayContaining([old.name, tuned.name]),
    });
    expect(result.configured).toHaveLength(2);
    expect(await topicConfig(old.name)).toEqual(TOPIC_CONFIG);
    expect(await topicConfig(tuned.name)).toEqual({
      'retention.ms': String(30 * DAY_MS),
      'segment.ms': TOPIC_CONFIG['segment.ms'],
    });
    // Run again: nothing left to change.
    expect((await createTopics(testEnv.kafkaBrokers.join(','), { topics: [old.name] })).configured).toEqual(
      [],
    );

    await expect(runtimeOn(old).start()).resolves.toBeUndefined();
    // 30-day retention in 1-day segments: 31 days, and the default inbox retention is refused.
    await expect(runtimeOn(tuned).start()).rejects.toThrow('(e.g. 32d)');
  });

  it('purges nothing, and says so, when a topic keeps its messages forever', async () => {
    const forever = await topicWith('forever', { 'retention.ms': '-1' });
    const compacted = await topicWith('compacted', { 'cleanup.policy': 'compact' });
    const lines: string[] = [];
    const logger = pino(
      { level: 'warn' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const runtime = new MessagingRuntime({
      serviceName: 'inbox-retention-test',
      brokers: testEnv.kafkaBrokers,
      dataSource: h.dataSource,
      logger,
      relay: false,
      subscriptions: [
        subscribe(forever, () => Promise.resolve()),
        subscribe(compacted, () => Promise.resolve()),
      ],
      consumerGroup: `group-${forever.name}`,
    });
    runtimes.push(runtime);
    await runtime.start();
    const warning = lines.map((line) => JSON.parse(line) as { msg: string; topics?: { topic: string }[] });
    const notPurged = warning.find((w) => w.msg.startsWith('inbox: not purged'));
    expect(notPurged?.topics?.map((t) => t.topic).sort()).toEqual([forever.name, compacted.name].sort());
  });
});
