import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  clientSecurityFor,
  startKafka,
  type BrokerSecurity,
  type KafkaBroker,
  type KafkaClientSecurity,
} from '@duemap/local-stack/kafka';
import { freePort, runCommand } from '@duemap/local-stack/processes';
import { createTopics } from '@duemap/local-stack/topics';

export interface PrivateKafka {
  brokers: string[];
  broker: KafkaBroker;
  /** Its temporary data directory (deleted by stop). */
  dataDir: string;
  /** With `scram`: what a kafkajs client needs to authenticate on `brokers`. */
  clientSecurity?: KafkaClientSecurity;
  /** With `scram.tls`: the SASL_SSL listener, and the PEM certificate that signs it (self-signed). */
  tls?: { brokers: string[]; caFile: string };
  /** Stops the broker and deletes its data. */
  stop(): Promise<void>;
}

/**
 * A broker of its own (free ports, temporary data) with every Duemap topic and .dlq twin created:
 * a spec that boots services with their real topic names and consumer groups shares nothing with
 * other specs running at the same time, nor with `npm start`'s data.
 */
export async function startPrivateKafka({
  partitions = 3,
  logDir,
  scram,
  topics,
}: {
  partitions?: number;
  /** Where the broker's log and GC log go (to outlive the broker); its data directory otherwise. */
  logDir?: string;
  /**
   * A broker that authenticates (SCRAM-SHA-256 on a SASL_PLAINTEXT listener, this user created at
   * format time) instead of the plain one; with `tls`, also a SASL_SSL listener whose certificate
   * is generated now (keytool, self-signed for 127.0.0.1).
   */
  scram?: { username: string; password: string; tls?: boolean };
  /** Default: every Duemap topic and its `.dlq` twin. */
  topics?: readonly string[];
} = {}): Promise<PrivateKafka> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duemap-kafka-'));
  const ports = new Set<number>();
  while (ports.size < (scram?.tls ? 3 : 2)) ports.add(await freePort());
  const [port, controllerPort, tlsPort] = [...ports] as [number, number, number | undefined];
  let security: BrokerSecurity | undefined;
  let tls: PrivateKafka['tls'];
  if (scram) {
    const { username, password } = scram;
    security = { scram: { username, password } };
    if (scram.tls && tlsPort !== undefined) {
      const { keyStoreFile, keyStorePassword, caFile } = await selfSignedKeyStore(dataDir);
      security.tls = { port: tlsPort, keyStoreFile, keyStorePassword };
      tls = { brokers: [`127.0.0.1:${tlsPort}`], caFile };
    }
  }
  const clientSecurity = clientSecurityFor(security);
  const broker = await startKafka({
    port,
    controllerPort,
    dataDir,
    logFile: path.join(logDir ?? dataDir, 'kafka.log'),
    security,
  });
  try {
    await createTopics(broker.brokers, { partitions, topics, clientSecurity });
  } catch (err) {
    await broker.stop();
    throw err;
  }
  return {
    brokers: [broker.brokers],
    broker,
    dataDir,
    clientSecurity,
    ...(tls && { tls }),
    async stop() {
      await broker.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A PKCS12 key store for the broker's SASL_SSL listener: an RSA key and a certificate for
 * 127.0.0.1 signed by itself, exported as PEM for clients to trust (KAFKA_TLS_CA_FILE).
 */
async function selfSignedKeyStore(
  dir: string,
): Promise<{ keyStoreFile: string; keyStorePassword: string; caFile: string }> {
  const keyStoreFile = path.join(dir, 'broker.p12');
  const caFile = path.join(dir, 'broker-cert.pem');
  const keyStorePassword = 'duemap-test-keystore';
  const keytool = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'keytool') : 'keytool';
  const store = ['-keystore', keyStoreFile, '-storetype', 'PKCS12', '-storepass', keyStorePassword];
  const steps = [
    ['-genkeypair', '-alias', 'broker', '-keyalg', 'RSA', '-keysize', '2048', '-validity', '2'],
    ['-dname', 'CN=127.0.0.1', '-ext', 'SAN=ip:127.0.0.1,dns:localhost', '-keypass', keyStorePassword],
  ];
  const generated = await runCommand(keytool, [...steps.flat(), ...store]);
  const exported = await runCommand(keytool, [
    '-exportcert',
    '-rfc',
    '-alias',
    'broker',
    '-file',
    caFile,
    ...store,
  ]);
  if (generated.status !== 0 || exported.status !== 0) {
    throw new Error(
      `keytool could not make the test broker's certificate:\n${generated.output}${exported.output}`,
    );
  }
  return { keyStoreFile, keyStorePassword, caFile };
}
