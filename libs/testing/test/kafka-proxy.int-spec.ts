import { Kafka, logLevel, type Producer } from 'kafkajs';
import { collectMessages, startProxiedKafka, type ProxiedKafka } from '../src';

describe('startProxiedKafka', () => {
  let kafka: ProxiedKafka;
  let client: Kafka;
  // No retries: a lost response must fail the send, not be answered by a second copy.
  let producer: Producer;
  const topic = 'customers.customer-upserted.v1';

  beforeAll(async () => {
    kafka = await startProxiedKafka({ partitions: 1 });
    client = new Kafka({
      clientId: 'proxy-test',
      brokers: kafka.brokers,
      logLevel: logLevel.NOTHING,
    });
    // A new topic's leader can take a moment to be known: a retrying producer writes first.
    const warm = client.producer();
    await warm.connect();
    await warm.send({ topic, acks: -1, messages: [{ key: 'k', value: 'first' }] });
    await warm.disconnect();
    producer = client.producer({ retry: { retries: 0 } });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await kafka?.stop();
  });

  const send = (value: string): Promise<unknown> =>
    producer.send({ topic, acks: -1, messages: [{ key: 'k', value }] });

  it('carries every connection: the broker advertises the proxy', async () => {
    expect(kafka.brokers).toEqual([kafka.proxy.address]);
    await send('through');
    const metadata = await new Promise<string>((resolve, reject) => {
      const admin = client.admin();
      admin
        .connect()
        .then(() => admin.describeCluster())
        .then((cluster) => resolve(cluster.brokers.map((b) => `${b.host}:${b.port}`).join(',')))
        .catch(reject)
        .finally(() => void admin.disconnect());
    });
    expect(metadata).toBe(kafka.proxy.address);
  });

  it('drops a Produce response: the client fails, the broker has the message', async () => {
    kafka.proxy.dropProduceResponses(1, { reset: true });
    await expect(send('stored-unheard')).rejects.toThrow();
    expect(kafka.proxy.dropped).toBe(1);

    // The next response passes again, over a new connection.
    await send('after');
    const values = (await collectMessages(client, topic, 4)).map((m) => m.message.value?.toString());
    expect(values).toEqual(['first', 'through', 'stored-unheard', 'after']);
  });

  it('resets every client connection; the client reconnects', async () => {
    kafka.proxy.resetConnections();
    await expect(send('on a reset connection')).rejects.toThrow();
    await send('reconnected');
  });
});
