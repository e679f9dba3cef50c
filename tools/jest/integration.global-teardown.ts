import { stopWorkerKafkas, WORKER_KAFKA_DIR_ENV } from '@duemap/testing';

/** Stops the brokers the workers kept (integration.global-setup.ts). */
export default async function teardown(): Promise<void> {
  const dir = process.env[WORKER_KAFKA_DIR_ENV];
  if (dir) await stopWorkerKafkas(dir);
}
