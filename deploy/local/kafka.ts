import fs from 'node:fs';
import path from 'node:path';

import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';

import { SetupError } from './errors';
import { CACHE_DIR, REPO_ROOT, displayPath, logFileFor } from './paths';
import {
  isAlive,
  lastLines,
  portAnswers,
  portIsFree,
  runCommand,
  spawnDetached,
  stopProcessGroup,
  tailFile,
  waitUntil,
} from './processes';
import { findProcess, forgetProcess, recordProcess } from './registry';
import { DEFAULT_TOPIC_PARTITIONS } from './topics';

/**
 * Apache Kafka in KRaft mode, run from the Maven Central jars with the local JDK (no Docker).
 * DESIGN.md, "Infrastructure, real parts only".
 */
export const KAFKA_VERSION = '3.9.1';
export const KAFKA_LIBS = path.join(CACHE_DIR, 'kafka', KAFKA_VERSION, 'libs');
export const DEFAULT_KAFKA_DATA_DIR = path.join(CACHE_DIR, 'kafka', 'data');
export const DEFAULT_KAFKA_PORT = 9092;
const POM = path.join(REPO_ROOT, 'deploy', 'local', 'kafka', 'pom.xml');
const BROKER_JAR = `kafka_2.13-${KAFKA_VERSION}.jar`;

const JAVA_MISSING =
  'Kafka needs Java 11 or newer: install a JDK (e.g. `sudo apt-get install openjdk-17-jre-headless` or `brew install openjdk@17`), or set KAFKA_BROKERS to a broker you already run.';
const MAVEN_MISSING =
  'Fetching Kafka from Maven Central needs Maven: install it (e.g. `sudo apt-get install maven` or `brew install maven`), or set KAFKA_BROKERS to a broker you already run.';

function javaCommand(): string {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

async function checkJava(): Promise<void> {
  const result = await runCommand(javaCommand(), ['-version']).catch(() => undefined);
  if (!result || result.status !== 0) throw new SetupError(JAVA_MISSING);
  // "1.8.0_392" for Java 8, "17.0.15" from Java 9 on.
  const match = /version "(\d+)(?:\.(\d+))?/.exec(result.output);
  const major = match?.[1] === '1' ? Number(match[2]) : Number(match?.[1]);
  if (Number.isFinite(major) && major < 11) {
    throw new SetupError(
      `Kafka ${KAFKA_VERSION} needs Java 11 or newer but \`java\` is Java ${major}: ${JAVA_MISSING}`,
    );
  }
}

/**
 * Puts the broker's jars in the git-ignored cache (once; later calls only check Java). Downloads into
 * a staging directory and renames it, so an interrupted download is never mistaken for a complete one.
 */
export async function ensureKafkaJars(): Promise<string> {
  await checkJava();
  if (fs.existsSync(path.join(KAFKA_LIBS, BROKER_JAR))) return KAFKA_LIBS;

  const mvnVersion = await runCommand('mvn', ['-v']).catch(() => undefined);
  if (!mvnVersion || mvnVersion.status !== 0) throw new SetupError(MAVEN_MISSING);

  const staging = `${KAFKA_LIBS}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const result = await runCommand('mvn', [
    '-B',
    '-q',
    '-Dstyle.color=never',
    '-f',
    POM,
    'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies',
    `-DoutputDirectory=${staging}`,
    '-DincludeScope=runtime',
  ]);
  if (result.status !== 0 || !fs.existsSync(path.join(staging, BROKER_JAR))) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new SetupError(
      `Could not fetch Kafka ${KAFKA_VERSION} from Maven Central (is the network or a Maven mirror reachable?); Maven said:\n${lastLines(result.output)}`,
    );
  }
  try {
    fs.renameSync(staging, KAFKA_LIBS);
  } catch (error) {
    // Another run finished the same download first; its copy is as good as ours.
    fs.rmSync(staging, { recursive: true, force: true });
    if (!fs.existsSync(path.join(KAFKA_LIBS, BROKER_JAR))) throw error;
  }
  return KAFKA_LIBS;
}

export interface BrokerConfig {
  port: number;
  controllerPort: number;
  /** Where the broker keeps its partitions and metadata log. */
  logDir: string;
  /**
   * The client port the broker tells clients to connect to (default: `port`). A test puts a proxy
   * there that forwards to `port`: clients go wherever Metadata sends them, so only an advertised
   * proxy sees all their traffic.
   */
  advertisedPort?: number;
  /** SASL/SCRAM and TLS listeners instead of the plain one (tests of libs/messaging's KAFKA_SASL_*). */
  security?: BrokerSecurity;
}

/**
 * A broker that authenticates: the client port becomes a SASL_PLAINTEXT listener taking
 * SCRAM-SHA-256 (the broker itself uses the same user between its own listeners), and with `tls`
 * a second, SASL_SSL listener on `tls.port` whose certificate is the PKCS12 key store given.
 * The user is created when the storage is formatted (KRaft keeps SCRAM credentials in its
 * metadata log; there is no ZooKeeper to add them to later).
 */
export interface BrokerSecurity {
  scram: { username: string; password: string };
  tls?: { port: number; keyStoreFile: string; keyStorePassword: string };
}

const SCRAM_MECHANISM = 'SCRAM-SHA-256';

function listenerSettings(
  port: number,
  controllerPort: number,
  advertisedPort: number,
  security: BrokerSecurity | undefined,
): Record<string, string> {
  if (!security) {
    return {
      listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      'advertised.listeners': `PLAINTEXT://127.0.0.1:${advertisedPort}`,
      'controller.listener.names': 'CONTROLLER',
      'inter.broker.listener.name': 'PLAINTEXT',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    };
  }
  const { scram, tls } = security;
  const quote = (value: string): string => JSON.stringify(value);
  const jaas = `org.apache.kafka.common.security.scram.ScramLoginModule required username=${quote(scram.username)} password=${quote(scram.password)};`;
  const settings: Record<string, string> = {
    listeners: [
      `SASL_PLAINTEXT://127.0.0.1:${port}`,
      ...(tls ? [`SASL_SSL://127.0.0.1:${tls.port}`] : []),
      `CONTROLLER://127.0.0.1:${controllerPort}`,
    ].join(','),
    'advertised.listeners': [
      `SASL_PLAINTEXT://127.0.0.1:${advertisedPort}`,
      ...(tls ? [`SASL_SSL://127.0.0.1:${tls.port}`] : []),
    ].join(','),
    'controller.listener.names': 'CONTROLLER',
    // The controller listener stays plain: it is on the loopback and only this node speaks on it.
    'listener.security.protocol.map': 'SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'SASL_PLAINTEXT',
    'sasl.enabled.mechanisms': SCRAM_MECHANISM,
    'sasl.mechanism.inter.broker.protocol': SCRAM_MECHANISM,
    'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config': jaas,
  };
  if (tls) {
    settings['listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config'] = jaas;
    settings['ssl.keystore.type'] = 'PKCS12';
    settings['ssl.keystore.location'] = tls.keyStoreFile;
    settings['ssl.keystore.password'] = tls.keyStorePassword;
    settings['ssl.key.password'] = tls.keyStorePassword;
  }
  return settings;
}

/** A single node acting as broker and KRaft controller, sized for a 2-core developer machine. */
export function renderServerProperties({
  port,
  controllerPort,
  logDir,
  advertisedPort = port,
  security,
}: BrokerConfig): string {
  const settings: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    ...listenerSettings(port, controllerPort, advertisedPort, security),
    'log.dirs': logDir,
    // Topics are created up front (topics.ts); a typo in a topic name must fail, not create a topic.
    'auto.create.topics.enable': false,
    'num.partitions': DEFAULT_TOPIC_PARTITIONS,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    // Fewer internal partitions: the first consumer group and transaction start in a second, not ten.
    'offsets.topic.num.partitions': 10,
    'transaction.state.log.num.partitions': 10,
    // Consumers in tests join immediately instead of waiting 3 s for more members.
    'group.initial.rebalance.delay.ms': 0,
    // Light on threads and memory: two cores are shared with Postgres, the services and Jest.
    'num.network.threads': 2,
    'num.io.threads': 4,
    'background.threads': 4,
    'num.recovery.threads.per.data.dir': 1,
    'log.cleaner.threads': 1,
    'log.cleaner.dedupe.buffer.size': 16 * 1024 * 1024,
  };
  return (
    Object.entries(settings)
      .map(([key, value]) => `${key}=${String(value)}`)
      .join('\n') + '\n'
  );
}

const LOG4J_PROPERTIES = `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
`;

/** The `sasl`/`ssl` part of a kafkajs config, for a broker that authenticates. */
export type KafkaClientSecurity = Pick<KafkaConfig, 'sasl' | 'ssl'>;

/** The client settings that authenticate to a broker started with `security` (SASL_PLAINTEXT port). */
export function clientSecurityFor(security: BrokerSecurity | undefined): KafkaClientSecurity {
  return security ? { sasl: { mechanism: 'scram-sha-256', ...security.scram } } : {};
}

/** Whether a Kafka broker answers a metadata request (a plain open port is not enough). */
export async function kafkaAnswers(
  brokers: string,
  timeoutMs = 3_000,
  clientSecurity: KafkaClientSecurity = {},
): Promise<boolean> {
  const admin = new Kafka({
    ...clientSecurity,
    clientId: 'duemap-probe',
    brokers: brokers.split(',').map((broker) => broker.trim()),
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(timeoutMs, 3_000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export interface StartKafkaOptions {
  /** Client port (default 9092). */
  port?: number;
  /** KRaft controller port (default 9093, or port + 1 for another client port). */
  controllerPort?: number;
  /** The port the broker advertises to clients (default: `port`); see BrokerConfig. */
  advertisedPort?: number;
  /** Configuration, metadata and partitions; a restart with the same directory keeps topics and data. */
  dataDir?: string;
  logFile?: string;
  /** How long the broker may take to answer (default 90 s). */
  readyTimeoutMs?: number;
  /** Aborting stops a broker that is still starting. */
  signal?: AbortSignal;
  /** SCRAM (and TLS) listeners instead of the plain one; see BrokerSecurity. */
  security?: BrokerSecurity;
}

export interface KafkaBroker {
  brokers: string;
  pid: number;
  /** True when our broker was already running on the port and this call only attached to it. */
  reused: boolean;
  /** SIGTERM (controlled shutdown), SIGKILL after 30 s; resolves once the process is gone. */
  stop(): Promise<void>;
}

/**
 * Runs our own broker on the given ports, or attaches to the one we already run there (recorded in
 * `.run/procs/kafka-<port>.json`). Deliberately ignores KAFKA_BROKERS, so a test can always start a
 * private broker; `ensureKafka` applies the resolution order for the stack.
 */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaBroker> {
  const port = options.port ?? DEFAULT_KAFKA_PORT;
  const controllerPort = options.controllerPort ?? (port === DEFAULT_KAFKA_PORT ? 9093 : port + 1);
  const dataDir = path.resolve(options.dataDir ?? DEFAULT_KAFKA_DATA_DIR);
  const logFile = options.logFile ?? logFileFor(port === DEFAULT_KAFKA_PORT ? 'kafka' : `kafka-${port}`);
  const readyTimeoutMs = options.readyTimeoutMs ?? 90_000;
  const name = `kafka-${port}`;
  const brokers = `127.0.0.1:${port}`;
  const serverProperties = path.join(dataDir, 'server.properties');
  const probe = clientSecurityFor(options.security);

  const handle = (pid: number, reused: boolean): KafkaBroker => ({
    brokers,
    pid,
    reused,
    async stop() {
      await stopProcessGroup(pid, { signal: 'SIGTERM', graceMs: 30_000 });
      forgetProcess(name, pid);
    },
  });

  const running = findProcess(name);
  if (running) {
    if (running.marker !== serverProperties) {
      throw new SetupError(
        `Port ${port} is used by another Duemap broker (pid ${running.pid}, ${running.marker}); stop it with \`npm stop\` or pick another port.`,
      );
    }
    await waitForBroker(
      brokers,
      running.pid,
      running.logFile ?? logFile,
      readyTimeoutMs,
      options.signal,
      probe,
    );
    return handle(running.pid, true);
  }

  for (const taken of [port, controllerPort, ...(options.security?.tls ? [options.security.tls.port] : [])]) {
    if (!(await portIsFree(taken))) {
      throw new SetupError(
        `Port ${taken} is taken by another program, so Kafka cannot start there; stop that program or set KAFKA_BROKERS to a broker you run yourself.`,
      );
    }
  }

  const libs = await ensureKafkaJars();
  const classpath = `${libs}/*`;
  const log4j = path.join(dataDir, 'log4j.properties');
  const logDir = path.join(dataDir, 'logs');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(
    serverProperties,
    renderServerProperties({
      port,
      controllerPort,
      logDir,
      advertisedPort: options.advertisedPort,
      security: options.security,
    }),
  );
  fs.writeFileSync(log4j, LOG4J_PROPERTIES);
  const java = javaCommand();
  const log4jFlag = `-Dlog4j.configuration=file:${log4j}`;

  if (!fs.existsSync(path.join(logDir, 'meta.properties'))) {
    const uuid = await runCommand(java, ['-cp', classpath, 'kafka.tools.StorageTool', 'random-uuid']);
    const clusterId = uuid.output.trim().split('\n').pop() ?? '';
    const format = await runCommand(java, [
      log4jFlag,
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      serverProperties,
      '--ignore-formatted',
      ...(options.security
        ? [
            '--add-scram',
            `${SCRAM_MECHANISM}=[name=${options.security.scram.username},password=${options.security.scram.password}]`,
          ]
        : []),
    ]);
    if (uuid.status !== 0 || format.status !== 0) {
      throw new SetupError(
        `Could not format Kafka storage in ${dataDir}:\n${lastLines(uuid.output + format.output)}`,
      );
    }
  }

  const heap = (process.env.KAFKA_HEAP_OPTS ?? '-Xms256m -Xmx512m').split(/\s+/).filter(Boolean);
  const child = await spawnDetached(
    java,
    [
      ...heap,
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:InitiatingHeapOccupancyPercent=35',
      // As Kafka's own start script does: each GC pause with its wall time, to tell a broker pause
      // from a stall of ours when a hop is slow (rotated, a few MB at most).
      `-Xlog:gc:file=${logFile.replace(/\.log$/, '')}-gc.log:time,uptime,level,tags:filecount=5,filesize=10M`,
      '-Djava.awt.headless=true',
      log4jFlag,
      '-cp',
      classpath,
      'kafka.Kafka',
      serverProperties,
    ],
    { logFile, cwd: dataDir },
  );
  recordProcess({ name, pid: child.pid, marker: serverProperties, logFile, url: brokers });
  const broker = handle(child.pid, false);
  try {
    await waitForBroker(brokers, child.pid, logFile, readyTimeoutMs, options.signal, probe);
  } catch (error) {
    await broker.stop();
    throw error;
  }
  return broker;
}

async function waitForBroker(
  brokers: string,
  pid: number,
  logFile: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  clientSecurity: KafkaClientSecurity = {},
): Promise<void> {
  const port = Number(brokers.split(':').pop());
  const ready = await waitUntil(
    async () => {
      if (!isAlive(pid)) {
        throw new SetupError(
          `Kafka stopped while starting; the last lines of ${displayPath(logFile)}:\n${tailFile(logFile)}`,
        );
      }
      return (await portAnswers(port)) && (await kafkaAnswers(brokers, 2_000, clientSecurity));
    },
    { timeoutMs, intervalMs: 250, signal },
  );
  if (!ready) {
    throw new SetupError(
      `Kafka did not answer on ${brokers} within ${Math.round(timeoutMs / 1000)} s; the last lines of ${displayPath(logFile)}:\n${tailFile(logFile)}`,
    );
  }
}

export interface KafkaConnection {
  brokers: string;
  /** env: KAFKA_BROKERS; local: a broker already answering on 9092; started/reused: our own. */
  source: 'env' | 'local' | 'started' | 'reused';
  pid?: number;
  /** Present when this call started the broker: the caller stops it. */
  stop?: () => Promise<void>;
}

/** The stack's Kafka: KAFKA_BROKERS, else a broker already on 127.0.0.1:9092, else our own. */
export async function ensureKafka(options: { signal?: AbortSignal } = {}): Promise<KafkaConnection> {
  const configured = process.env.KAFKA_BROKERS?.trim();
  if (configured) {
    if (!(await kafkaAnswers(configured, 10_000))) {
      throw new SetupError(
        `KAFKA_BROKERS is ${configured} but no Kafka broker answers there; start it, or unset KAFKA_BROKERS and Duemap starts its own.`,
      );
    }
    return { brokers: configured, source: 'env' };
  }
  const local = `127.0.0.1:${DEFAULT_KAFKA_PORT}`;
  if (!findProcess(`kafka-${DEFAULT_KAFKA_PORT}`) && (await portAnswers(DEFAULT_KAFKA_PORT))) {
    if (await kafkaAnswers(local, 5_000)) return { brokers: local, source: 'local' };
    throw new SetupError(
      `Port ${DEFAULT_KAFKA_PORT} is taken by a program that is not a Kafka broker; stop it, or set KAFKA_BROKERS to your broker.`,
    );
  }
  const broker = await startKafka({ signal: options.signal });
  return broker.reused
    ? { brokers: broker.brokers, source: 'reused', pid: broker.pid }
    : { brokers: broker.brokers, source: 'started', pid: broker.pid, stop: () => broker.stop() };
}
