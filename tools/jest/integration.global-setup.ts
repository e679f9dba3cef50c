import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WORKER_KAFKA_DIR_ENV } from '@duemap/testing';

/**
 * The integration project's global setup: a directory where each Jest worker records the broker it
 * keeps between spec files (workerKafka), read by the global teardown to stop them all.
 */
export default function setup(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duemap-worker-kafka-'));
  process.env[WORKER_KAFKA_DIR_ENV] = dir;
}
