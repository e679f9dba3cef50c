import { randomUUID } from 'node:crypto';
import { defaultPartitioner as platformaticDefaultPartitioner } from '@platformatic/kafka';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { createDefaultPartitioner, toPlatformaticMessages } from '../src/kafka/platformatic-producer';

function metadata(partitions: number): PartitionMetadata[] {
  return Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 1,
    replicas: [1],
    isr: [1],
    offlineReplicas: [],
    partitionErrorCode: 0,
  }));
}

// Customer ids as the services key them, and keys of outside producers (ERP codes, non-ASCII names).
const keys = [
  ...Array.from({ length: 2000 }, () => randomUUID()),
  ...Array.from({ length: 500 }, (_, i) => `SAP-${i}`),
  '',
  '客户-深圳-001',
  'Ünïcødé kéy',
];

describe('the @platformatic/kafka producer adapter', () => {
  it.each([1, 2, 3, 6, 7, 12, 50])(
    "puts every key on the partition kafkajs's DefaultPartitioner picks (%i partitions)",
    (partitions) => {
      const kafkajs = Partitioners.DefaultPartitioner();
      const ours = createDefaultPartitioner();
      const partitionMetadata = metadata(partitions);
      const topic = 'payments.payment-received.v1';
      const elsewhere = keys.filter((key) => {
        const expected = kafkajs({ topic, partitionMetadata, message: { key, value: null } });
        const [message] = toPlatformaticMessages({
          topicMessages: [{ topic, messages: [{ key, value: null }] }],
        });
        return ours(message!, message!.key, { metadata: undefined }) % partitions !== expected;
      });
      expect(elsewhere).toEqual([]);
    },
  );

  it("needs that partitioner: the client's default one puts some keys elsewhere", () => {
    const partitions = 6;
    const kafkajs = Partitioners.DefaultPartitioner();
    const partitionMetadata = metadata(partitions);
    const moved = keys.filter((key) => {
      const expected = kafkajs({ topic: 't', partitionMetadata, message: { key, value: null } });
      return platformaticDefaultPartitioner({ topic: 't' }, Buffer.from(key)) % partitions !== expected;
    });
    expect(moved.length).toBeGreaterThan(keys.length / 4);
  });

  it('sends keyless messages round-robin over the partitions', () => {
    const partitioner = createDefaultPartitioner();
    const picked = Array.from(
      { length: 6 },
      () => partitioner({ topic: 't' }, undefined, { metadata: undefined }) % 3,
    );
    expect(picked).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it("carries kafkajs's messages over as bytes: key, value, headers (repeated ones too), partition, timestamp", () => {
    const value = Buffer.from([1, 2, 3]);
    const [first, second] = toPlatformaticMessages({
      acks: -1,
      topicMessages: [
        {
          topic: 'a',
          messages: [
            {
              key: 'customer-1',
              value,
              headers: { 'event-id': 'e1', binary: Buffer.from([9]), seen: ['x', 'y'], skipped: undefined },
              timestamp: '1700000000000',
            },
          ],
        },
        { topic: 'b', messages: [{ key: null, value: null, partition: 2 }] },
      ],
    });
    expect(first).toEqual({
      topic: 'a',
      key: Buffer.from('customer-1'),
      value,
      headers: expect.any(Map),
      timestamp: 1_700_000_000_000n,
    });
    const headers = [...(first!.headers as Map<Buffer, Buffer>)].map(([k, v]) => [k.toString(), v]);
    expect(headers).toEqual([
      ['event-id', Buffer.from('e1')],
      ['binary', Buffer.from([9])],
      ['seen', Buffer.from('x')],
      ['seen', Buffer.from('y')],
    ]);
    // No key or value at all rather than empty ones: kafkajs writes null for both.
    expect(second).toEqual({ topic: 'b', partition: 2 });
  });
});
