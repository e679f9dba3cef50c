import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startKafka, type KafkaBroker } from '@duemap/local-stack/kafka';
import { freePort } from '@duemap/local-stack/processes';
import { createTopics } from '@duemap/local-stack/topics';

export interface PrivateKafka {
  brokers: string[];
  broker: KafkaBroker;
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
}: {
  partitions?: number;
  /** Where the broker's log and GC log go (to outlive the broker); its data directory otherwise. */
  logDir?: string;
} = {}): Promise<PrivateKafka> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duemap-kafka-'));
  const port = await freePort();
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();
  const broker = await startKafka({
    port,
    controllerPort,
    dataDir,
    logFile: path.join(logDir ?? dataDir, 'kafka.log'),
  });
  try {
    await createTopics(broker.brokers, { partitions });
  } catch (err) {
    await broker.stop();
    throw err;
  }
  return {
    brokers: [broker.brokers],
    broker,
    async stop() {
      await broker.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
