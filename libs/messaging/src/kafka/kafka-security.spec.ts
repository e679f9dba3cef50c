import {
  kafkaConnectionConfig,
  kafkaSecurityFromConfig,
  type KafkaSecurity,
  type KafkaSecurityValues,
} from './kafka-security';

const PLAIN: KafkaSecurityValues = {
  KAFKA_SASL_MECHANISM: 'none',
  KAFKA_TLS: false,
  KAFKA_TLS_REJECT_UNAUTHORIZED: true,
};

const FILES: Readonly<Record<string, string>> = {
  '/etc/kafka/ca.pem': 'CA PEM',
  '/etc/kafka/client.pem': 'CLIENT CERT PEM',
  '/etc/kafka/client.key': 'CLIENT KEY PEM',
};

function readFake(file: string): Buffer {
  const content = FILES[file];
  if (content === undefined) throw new Error(`ENOENT: no such file or directory, open '${file}'`);
  return Buffer.from(content);
}

function problemsOf(values: KafkaSecurityValues): string[] {
  try {
    kafkaSecurityFromConfig(values);
  } catch (error) {
    const [header, ...problems] = (error as Error).message.split('\n');
    expect(header).toBe('Invalid Kafka security configuration:');
    return problems;
  }
  throw new Error('expected the configuration to be refused');
}

describe('kafkaSecurityFromConfig', () => {
  it('asks for nothing by default: the local broker of npm start is plain', () => {
    expect(kafkaSecurityFromConfig(PLAIN)).toEqual({});
    expect(kafkaConnectionConfig(kafkaSecurityFromConfig(PLAIN), readFake)).toEqual({});
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)(
    'takes SASL %s with its credentials',
    (mechanism) => {
      expect(
        kafkaSecurityFromConfig({
          ...PLAIN,
          KAFKA_SASL_MECHANISM: mechanism,
          KAFKA_SASL_USERNAME: 'payments',
          KAFKA_SASL_PASSWORD: 'pw',
        }),
      ).toEqual({ sasl: { mechanism, username: 'payments', password: 'pw' } });
    },
  );

  it('refuses a mechanism without credentials, naming each missing variable', () => {
    expect(problemsOf({ ...PLAIN, KAFKA_SASL_MECHANISM: 'scram-sha-256' })).toEqual([
      'KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM=scram-sha-256',
      'KAFKA_SASL_PASSWORD is required with KAFKA_SASL_MECHANISM=scram-sha-256',
    ]);
  });

  it('refuses credentials or TLS files that would be ignored', () => {
    expect(
      problemsOf({
        ...PLAIN,
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
        KAFKA_TLS_CA_FILE: '/etc/kafka/ca.pem',
        KAFKA_TLS_REJECT_UNAUTHORIZED: false,
      }),
    ).toEqual([
      'KAFKA_SASL_USERNAME is set but KAFKA_SASL_MECHANISM is none',
      'KAFKA_SASL_PASSWORD is set but KAFKA_SASL_MECHANISM is none',
      'KAFKA_TLS_CA_FILE is set but KAFKA_TLS is false',
      'KAFKA_TLS_REJECT_UNAUTHORIZED is false but KAFKA_TLS is false',
    ]);
  });

  it('takes TLS with a CA, a client certificate and its key', () => {
    expect(
      kafkaSecurityFromConfig({
        ...PLAIN,
        KAFKA_TLS: true,
        KAFKA_TLS_CA_FILE: '/etc/kafka/ca.pem',
        KAFKA_TLS_CERT_FILE: '/etc/kafka/client.pem',
        KAFKA_TLS_KEY_FILE: '/etc/kafka/client.key',
      }),
    ).toEqual({
      tls: {
        caFile: '/etc/kafka/ca.pem',
        certFile: '/etc/kafka/client.pem',
        keyFile: '/etc/kafka/client.key',
        rejectUnauthorized: true,
      },
    });
  });

  it('refuses a client certificate without its key', () => {
    expect(problemsOf({ ...PLAIN, KAFKA_TLS: true, KAFKA_TLS_CERT_FILE: '/etc/kafka/client.pem' })).toEqual([
      'KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE go together (a client certificate and its key)',
    ]);
  });
});

describe('kafkaConnectionConfig', () => {
  it('gives kafkajs the SASL mechanism and credentials as they are', () => {
    const security: KafkaSecurity = { sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } };
    expect(kafkaConnectionConfig(security, readFake)).toEqual({
      sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
    });
  });

  it('reads the PEM files into the TLS options, checking certificates unless told not to', () => {
    expect(
      kafkaConnectionConfig(
        {
          sasl: { mechanism: 'plain', username: 'u', password: 'p' },
          tls: {
            caFile: '/etc/kafka/ca.pem',
            certFile: '/etc/kafka/client.pem',
            keyFile: '/etc/kafka/client.key',
          },
        },
        readFake,
      ),
    ).toEqual({
      sasl: { mechanism: 'plain', username: 'u', password: 'p' },
      ssl: {
        rejectUnauthorized: true,
        ca: [Buffer.from('CA PEM')],
        cert: Buffer.from('CLIENT CERT PEM'),
        key: Buffer.from('CLIENT KEY PEM'),
      },
    });
    expect(kafkaConnectionConfig({ tls: { rejectUnauthorized: false } }, readFake)).toEqual({
      ssl: { rejectUnauthorized: false },
    });
  });

  it('fails at once, naming the file, when a TLS file cannot be read', () => {
    expect(() => kafkaConnectionConfig({ tls: { caFile: '/missing/ca.pem' } }, readFake)).toThrow(
      "Cannot read the Kafka TLS CA file /missing/ca.pem: ENOENT: no such file or directory, open '/missing/ca.pem'",
    );
  });

  it('is what createKafka gives every client: nothing for no security', () => {
    expect(kafkaConnectionConfig(undefined, readFake)).toEqual({});
  });
});
