import { loadConfig, platformConfig } from '@duemap/config';
import { collectMessages, startPrivateKafka, testLogger, type PrivateKafka } from '@duemap/testing';
import type { Kafka } from 'kafkajs';
import { createKafka, createProducer, kafkaSecurityFromConfig } from '../src';

const USER = 'duemap';
const PASSWORD = 'scram-spec-password-7f3a';
const TOPIC = 'scram-spec.messages.v1';
const TLS_TOPIC = 'scram-spec.tls-messages.v1';

/**
 * A service's Kafka client built the way ServicePlatformModule builds it: the platform config read
 * from these variables, kafkaSecurityFromConfig, createKafka.
 */
function clientFromEnv(brokers: readonly string[], env: Record<string, string>): Kafka {
  const config = loadConfig(
    platformConfig,
    { KAFKA_BROKERS: brokers.join(','), ...env },
    { service: 'scram-spec' },
  );
  return createKafka({
    clientId: config.KAFKA_CLIENT_ID,
    brokers: [...config.KAFKA_BROKERS],
    logger: testLogger(),
    security: kafkaSecurityFromConfig(config),
  });
}

/** Connects a producer, sends one message, and reads it back with a consumer of the same client. */
async function roundTrip(kafka: Kafka, topic: string, value: string): Promise<string[]> {
  const producer = createProducer(kafka);
  await producer.connect();
  try {
    await producer.send({ topic, messages: [{ key: value, value }] });
  } finally {
    await producer.disconnect();
  }
  const messages = await collectMessages(kafka, topic, 1, 30_000);
  return messages.map((m) => m.message.value?.toString() ?? '');
}

/** The error a producer's connect ends with, and how long it took to end. */
async function connectFailure(kafka: Kafka): Promise<{ error: Error; ms: number }> {
  const producer = createProducer(kafka);
  const started = Date.now();
  try {
    await producer.connect();
  } catch (error) {
    return { error: error as Error, ms: Date.now() - started };
  } finally {
    await producer.disconnect();
  }
  throw new Error('expected the connection to be refused');
}

describe('Kafka with SASL/SCRAM (and TLS) from the platform config', () => {
  let broker: PrivateKafka;
  const scram = {
    KAFKA_SASL_MECHANISM: 'scram-sha-256',
    KAFKA_SASL_USERNAME: USER,
    KAFKA_SASL_PASSWORD: PASSWORD,
  };

  beforeAll(async () => {
    broker = await startPrivateKafka({
      partitions: 1,
      topics: [TOPIC, TLS_TOPIC],
      scram: { username: USER, password: PASSWORD, tls: true },
    });
  }, 120_000);

  afterAll(async () => {
    await broker?.stop();
  });

  it('publishes and reads a message with the right password', async () => {
    const kafka = clientFromEnv(broker.brokers, scram);
    expect(await roundTrip(kafka, TOPIC, 'over-sasl-plaintext')).toEqual(['over-sasl-plaintext']);
  });

  it('refuses a wrong password with an authentication error, at once', async () => {
    const kafka = clientFromEnv(broker.brokers, { ...scram, KAFKA_SASL_PASSWORD: 'not-the-password' });
    const { error, ms } = await connectFailure(kafka);
    expect(error.name).toBe('KafkaJSSASLAuthenticationError');
    expect(error.message).toMatch(/SCRAM|[Aa]uthentication/);
    // Not retried: a wrong password does not become right by waiting.
    expect(ms).toBeLessThan(10_000);
  });

  it('refuses an unknown user the same way', async () => {
    const kafka = clientFromEnv(broker.brokers, { ...scram, KAFKA_SASL_USERNAME: 'nobody' });
    const { error } = await connectFailure(kafka);
    expect(error.name).toBe('KafkaJSSASLAuthenticationError');
  });

  it('publishes and reads over TLS (SASL_SSL) trusting the broker certificate from KAFKA_TLS_CA_FILE', async () => {
    const tls = broker.tls;
    if (!tls) throw new Error('the private broker was started without its TLS listener');
    const kafka = clientFromEnv(tls.brokers, { ...scram, KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: tls.caFile });
    expect(await roundTrip(kafka, TLS_TOPIC, 'over-sasl-ssl')).toEqual(['over-sasl-ssl']);
  });

  it('refuses to talk to a TLS broker whose certificate it does not trust', async () => {
    const tls = broker.tls;
    if (!tls) throw new Error('the private broker was started without its TLS listener');
    const kafka = clientFromEnv(tls.brokers, { ...scram, KAFKA_TLS: 'true' });
    const { error } = await connectFailure(kafka);
    // kafkajs retries a failed handshake a few times (5-6 s here), as any connection error.
    expect(error.message).toContain('self-signed certificate');
  });

  it('closes the connection of a client without SASL', async () => {
    const kafka = clientFromEnv(broker.brokers, {});
    const { error } = await connectFailure(kafka);
    expect(error.name).toBe('KafkaJSConnectionClosedError');
  });
});
