import { uniqueName } from '@duemap/testing';
import type { Kafka } from 'kafkajs';

/**
 * The event ids on a topic, read from the beginning until every one of `expected` came or
 * `timeoutMs` passed. Ids, not a count: a batch published again after an error puts copies there.
 */
export async function eventIdsOn(
  kafka: Kafka,
  topic: string,
  expected: string[],
  timeoutMs = 15_000,
): Promise<Set<string>> {
  const seen = new Set<string>();
  const consumer = kafka.consumer({ groupId: uniqueName('reader') });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done = (): void => undefined;
    const complete = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachMessage: ({ message }) => {
        const id = message.headers?.['event-id']?.toString();
        if (id) seen.add(id);
        if (expected.every((e) => seen.has(e))) done();
        return Promise.resolve();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([complete, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  } finally {
    await consumer.disconnect();
  }
  return seen;
}
