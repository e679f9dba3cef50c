import type { Producer, ProducerBatch, RecordMetadata } from 'kafkajs';
import type { Logger } from 'pino';
import { RenewingProducer } from './renewing-producer';

interface FakeProducer {
  id: number;
  producer: Producer;
  sent: ProducerBatch[];
  disconnected: boolean;
}

function fakes(failures: Set<number>): { made: FakeProducer[]; renewing: RenewingProducer } {
  const made: FakeProducer[] = [];
  let sends = 0;
  const create = (): Producer => {
    const fake: FakeProducer = {
      id: made.length + 1,
      producer: undefined as never,
      sent: [],
      disconnected: false,
    };
    fake.producer = {
      connect: jest.fn(() => Promise.resolve()),
      disconnect: jest.fn(() => {
        fake.disconnected = true;
        return Promise.resolve();
      }),
      sendBatch: jest.fn(async (batch: ProducerBatch): Promise<RecordMetadata[]> => {
        sends++;
        const n = sends;
        // Let a send queued behind this one try to slip in.
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (fake.disconnected) throw new Error('producer disconnected');
        fake.sent.push(batch);
        if (failures.has(n)) throw new Error(`send ${n} lost its response`);
        return [];
      }),
    } as unknown as Producer;
    made.push(fake);
    return fake.producer;
  };
  const logger = { warn: jest.fn() } as unknown as Logger;
  return { made, renewing: new RenewingProducer({ create, name: 'relay', logger }) };
}

const batch = (label: string): ProducerBatch => ({
  topicMessages: [{ topic: 't', messages: [{ value: label }] }],
});

describe('RenewingProducer', () => {
  it('sends with a new producer after a failed send, and never again with the old one', async () => {
    const { made, renewing } = fakes(new Set([2]));
    await renewing.connect();
    await renewing.sendBatch(batch('a'));
    // Queued together: the third must not reach the producer whose send failed.
    const failed = renewing.sendBatch(batch('b'));
    const after = renewing.sendBatch(batch('c'));
    await expect(failed).rejects.toThrow('send 2 lost its response');
    await after;
    await renewing.disconnect();

    expect(made).toHaveLength(2);
    expect(made[0]?.sent.map((b) => b.topicMessages?.[0]?.messages[0]?.value)).toEqual(['a', 'b']);
    expect(made[0]?.disconnected).toBe(true);
    expect(made[1]?.sent.map((b) => b.topicMessages?.[0]?.messages[0]?.value)).toEqual(['c']);
    expect(made[1]?.disconnected).toBe(true);
  });

  it('keeps one producer while sends succeed', async () => {
    const { made, renewing } = fakes(new Set());
    await Promise.all([renewing.sendBatch(batch('a')), renewing.sendBatch(batch('b'))]);
    expect(made).toHaveLength(1);
  });
});
