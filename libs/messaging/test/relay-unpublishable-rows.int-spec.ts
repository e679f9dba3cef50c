import { testEnv, testLogger, testTopicName, waitFor } from '@duemap/testing';
import { MessagingRuntime, OutboxWriter, type EventTopic } from '../src';
import { paymentEvent, startHarness, type Harness, type PaymentTopic } from './messaging-harness';
import { eventIdsOn } from './topic-reader';

/**
 * Rows Kafka cannot take in one claim, or ever, against the real broker (message.max.bytes: its
 * default, about 1 MB): the relay publishes the rest and parks what can never go.
 */
describe('the outbox relay with rows Kafka refuses', () => {
  let h: Harness;
  let runtime: MessagingRuntime;
  const writer = new OutboxWriter('unpublishable-test');

  beforeEach(async () => {
    h = await startHarness('unpublishable');
    runtime = new MessagingRuntime({
      serviceName: 'unpublishable-test',
      brokers: testEnv.kafkaBrokers,
      dataSource: h.dataSource,
      logger: testLogger(),
      relay: { idlePollMs: 50, maxBackoffMs: 500 },
    });
  });

  afterEach(async () => {
    await runtime?.stop();
    await h?.close();
  });

  interface Row {
    key: string;
    reference: string;
    topic?: PaymentTopic;
  }

  /** One transaction, so that the relay's first claim sees every row. Returns the event ids. */
  async function write(rows: Row[]): Promise<string[]> {
    return h.dataSource.transaction((em) =>
      writer.appendAll(
        em,
        rows.map(({ key, reference, topic }) => ({
          topic: topic ?? h.topic,
          key,
          event: paymentEvent(key, reference),
        })),
      ),
    );
  }

  const normal = (label: string, n: number): Row[] =>
    Array.from({ length: n }, (_, i) => ({ key: `cust-${i % 5}`, reference: `${label}-${i}` }));

  async function drained(): Promise<void> {
    await waitFor(
      'the outbox drained',
      async () => {
        const [{ n }] = await h.dataSource.query(`SELECT count(*)::int AS n FROM outbox`);
        return n === 0 ? true : undefined;
      },
      { timeoutMs: 45_000 },
    );
  }

  const parked = (): Promise<{ event_id: string; topic: string; reason: string }[]> =>
    h.dataSource.query(`SELECT event_id, topic, reason FROM outbox_parked ORDER BY id`);

  async function expectOnTopic(ids: string[]): Promise<void> {
    const onTopic = await eventIdsOn(h.kafka, h.topic.name, ids);
    expect(ids.filter((id) => !onTopic.has(id))).toEqual([]);
  }

  it('publishes the events around a 5 MB one and parks that one with its reason', async () => {
    const before = await write(normal('before', 3));
    const [big] = await write([{ key: 'cust-1', reference: 'x'.repeat(5 * 1024 * 1024) }]);
    const after = await write(normal('after', 3));
    await runtime.start();

    await drained();
    await expectOnTopic([...before, ...after]);
    expect(await parked()).toEqual([{ event_id: big, topic: h.topic.name, reason: 'MESSAGE_TOO_LARGE' }]);
  });

  it('publishes 500 events of 10 KB (5 MB together: more than one Produce may carry)', async () => {
    const ids = await write(
      normal('ten-kb', 500).map((r) => ({ ...r, reference: r.reference.padEnd(10_000, '.') })),
    );
    await runtime.start();

    await drained();
    await expectOnTopic(ids);
    expect(await parked()).toEqual([]);
  });

  it('parks an event for a topic the cluster does not have, and publishes the rest', async () => {
    const missing: EventTopic<PaymentTopic['schema']> = {
      name: testTopicName('missing'),
      schema: h.topic.schema,
    };
    const before = await write(normal('before', 3));
    const [lost] = await write([{ key: 'cust-2', reference: 'nowhere', topic: missing }]);
    const after = await write(normal('after', 3));
    await runtime.start();

    await drained();
    await expectOnTopic([...before, ...after]);
    expect(await parked()).toEqual([
      { event_id: lost, topic: missing.name, reason: 'UNKNOWN_TOPIC_OR_PARTITION' },
    ]);
  });
});
