import { Kafka, logLevel, Partitioners, type LogEntry, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { kafkaConnectionConfig, type KafkaSecurity } from './kafka-security';
import { fixKafkaRequestQueueTimer } from './request-queue.fix';

export interface KafkaClientOptions {
  clientId: string;
  /** host:port list, as in KAFKA_BROKERS. */
  brokers: string[];
  logger: Logger;
  /** SASL and TLS (KAFKA_SASL_*, KAFKA_TLS*); none for the local broker. */
  security?: KafkaSecurity;
}

/**
 * kafkajs with its log lines routed into the service's structured logger, without its idle timer
 * loop (request-queue.fix.ts), and with the service's SASL/TLS settings: every producer, consumer
 * and admin client of the service is made from the instance this returns.
 */
export function createKafka({ clientId, brokers, logger, security }: KafkaClientOptions): Kafka {
  fixKafkaRequestQueueTimer();
  const log = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId,
    brokers,
    ...kafkaConnectionConfig(security),
    connectionTimeout: 3000,
    retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        // Our idempotent producer limits its retries on purpose (the relay retries forever, see
        // createProducer); kafkajs warns about that at every connect.
        if (message.startsWith('Limiting retries for the idempotent producer')) return;
        if (level === logLevel.ERROR || level === logLevel.NOTHING) log.error(rest, message);
        else if (level === logLevel.WARN) log.warn(rest, message);
        else log.debug(rest, message);
      },
  });
}

/**
 * An idempotent producer (acks=all, one request in flight) so broker-side retries neither
 * duplicate nor reorder a partition's messages. Partitioning is Java-compatible murmur2 on the key,
 * so non-Node consumers agree on which partition holds a customer.
 */
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    // Fail a send fast: the outbox relay has its own unbounded retry with backoff.
    retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 3 },
  });
}

/** Whether the cluster has `topic`, from a short-lived admin client (for the rare question). */
export async function topicExists(kafka: Kafka, topic: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).includes(topic);
  } finally {
    await admin.disconnect();
  }
}

export function parseBrokers(value: string): string[] {
  return value
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
}
