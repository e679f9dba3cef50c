import { randomUUID } from 'node:crypto';
import { testEnv, testLogger, waitFor } from '@duemap/testing';
import type { Producer } from 'kafkajs';
import { createProducer, MessagingRuntime, subscribe } from '../src';
import { paymentBytes, paymentHeaders, startHarness, type Harness } from './messaging-harness';

// Outside producers (.NET, SQL Server, the ERP and bank topics) write GUIDs in upper case. The inbox
// stores event ids as uuid and Postgres reads them back in lower case: the consumer must still see
// such an event as new the first time, and as a duplicate in any spelling afterwards.
describe('events whose ids are upper-case GUIDs', () => {
  let h: Harness;
  let runtime: MessagingRuntime;
  let producer: Producer;
  const seenIds: string[] = [];

  const effectsOf = async (reference: string): Promise<{ event_id: string }[]> =>
    h.dataSource.query(`SELECT event_id FROM effects WHERE reference = $1`, [reference]);

  beforeAll(async () => {
    h = await startHarness('upper-case-ids', { partitions: 1 });
    runtime = new MessagingRuntime({
      serviceName: 'upper-case-ids-test',
      brokers: testEnv.kafkaBrokers,
      dataSource: h.dataSource,
      logger: testLogger(),
      relay: false,
      subscriptions: [
        subscribe(h.topic, async (event, ctx) => {
          seenIds.push(ctx.headers.eventId);
          await ctx.em.query(`INSERT INTO effects (event_id, customer_id, reference) VALUES ($1, $2, $3)`, [
            ctx.headers.eventId,
            event.customerId,
            event.reference,
          ]);
        }),
      ],
      consumerGroup: `group-${h.topic.name}`,
    });
    await runtime.start();
    producer = createProducer(h.kafka);
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await runtime?.stop();
    await h?.close();
  });

  it('applies each once, and knows it again in lower case', async () => {
    const customer = `cust-${randomUUID()}`;
    const ids = Array.from({ length: 5 }, () => randomUUID().toUpperCase());
    await producer.send({
      topic: h.topic.name,
      messages: ids.map((id, i) => ({
        key: customer,
        value: paymentBytes(customer, `upper-${i}`),
        headers: paymentHeaders(id),
      })),
    });
    // The inbox row commits whether or not the effect ran: wait for it, then look for the effects.
    const inboxRows = async (): Promise<number> => {
      const [row] = await h.dataSource.query<{ n: string }[]>(
        `SELECT count(*) AS n FROM inbox WHERE event_id = ANY($1::uuid[])`,
        [ids],
      );
      return Number(row?.n);
    };
    await waitFor('the inbox rows of the upper-case events', async () =>
      (await inboxRows()) === ids.length ? true : undefined,
    );
    for (const [i, id] of ids.entries()) {
      expect(await effectsOf(`upper-${i}`)).toEqual([{ event_id: id.toLowerCase() }]);
    }
    // Handlers see the canonical spelling, the one the inbox keeps.
    expect(seenIds).toEqual(ids.map((id) => id.toLowerCase()));

    // The same events again, in lower case and in upper case: duplicates. The sentinel behind them
    // on the same partition shows they were consumed.
    await producer.send({
      topic: h.topic.name,
      messages: [
        ...ids.map((id, i) => ({
          key: customer,
          value: paymentBytes(customer, `upper-${i}`),
          headers: paymentHeaders(i % 2 === 0 ? id.toLowerCase() : id),
        })),
        {
          key: customer,
          value: paymentBytes(customer, 'upper-sentinel'),
          headers: paymentHeaders(randomUUID()),
        },
      ],
    });
    await waitFor('the sentinel effect', async () =>
      (await effectsOf('upper-sentinel')).length === 1 ? true : undefined,
    );
    for (const i of ids.keys()) expect(await effectsOf(`upper-${i}`)).toHaveLength(1);
    expect(await inboxRows()).toBe(ids.length);
  });
});
