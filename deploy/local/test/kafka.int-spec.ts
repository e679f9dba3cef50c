import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Kafka, logLevel } from 'kafkajs';

import { startKafka, type KafkaBroker } from '../kafka';
import { freePort, groupAlive, isAlive, pidsMatching } from '../processes';

const TOPIC = 'deploy-local.kafka-spec.v1';

function client(brokers: string): Kafka {
  return new Kafka({ clientId: 'kafka-int-spec', brokers: [brokers], logLevel: logLevel.NOTHING });
}

async function readAll(
  brokers: string,
  topic: string,
  expected: number,
): Promise<{ key: string; value: string }[]> {
  const consumer = client(brokers).consumer({
    groupId: `kafka-int-spec-${Date.now()}-${Math.random()}`,
    maxWaitTimeInMs: 100,
  });
  const records: { key: string; value: string }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${records.length} of ${expected} records`)),
        30_000,
      );
      consumer
        .run({
          eachMessage: ({ message }) => {
            records.push({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '' });
            if (records.length >= expected) {
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
  return records;
}

describe('startKafka: a private broker that a test can stop and restart', () => {
  let dataDir: string;
  let port: number;
  let controllerPort: number;
  let broker: KafkaBroker | undefined;
  const running = (): KafkaBroker => {
    if (!broker) throw new Error('the first test starts the broker');
    return broker;
  };
  const start = (): Promise<KafkaBroker> =>
    startKafka({ port, controllerPort, dataDir, logFile: path.join(dataDir, 'kafka.log') });

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duemap-kafka-spec-'));
    port = await freePort();
    do controllerPort = await freePort();
    while (controllerPort === port);
  });

  afterAll(async () => {
    await broker?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts, takes a topic and a record, and attaches instead of starting twice', async () => {
    broker = await start();
    expect(broker).toMatchObject({ brokers: `127.0.0.1:${port}`, reused: false });

    const admin = client(broker.brokers).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = client(broker.brokers).producer();
    await producer.connect();
    await producer.send({ topic: TOPIC, messages: [{ key: 'customer-1', value: 'hello' }] });
    await producer.disconnect();
    expect(await readAll(broker.brokers, TOPIC, 1)).toEqual([{ key: 'customer-1', value: 'hello' }]);

    const again = await start();
    expect(again).toMatchObject({ pid: broker.pid, reused: true });
  });

  it('keeps topics and records across a restart with the same data directory', async () => {
    const first = running();
    await first.stop();
    expect(isAlive(first.pid)).toBe(false);

    broker = await start();
    expect(broker.reused).toBe(false);
    expect(broker.pid).not.toBe(first.pid);
    const admin = client(broker.brokers).admin();
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    expect(topics).toContain(TOPIC);
    expect(await readAll(broker.brokers, TOPIC, 1)).toEqual([{ key: 'customer-1', value: 'hello' }]);
  });

  it('stops for good: no broker process is left', async () => {
    const last = running();
    broker = undefined;
    await last.stop();
    expect(isAlive(last.pid)).toBe(false);
    expect(groupAlive(last.pid)).toBe(false);
    expect(pidsMatching(dataDir)).toEqual([]);
  });
});
