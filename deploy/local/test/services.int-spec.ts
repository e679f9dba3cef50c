import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort, groupAlive, pidsMatching } from '../processes';
import { discoverServices, startService, waitForHealth, type RunningService } from '../services';

const FIXTURES = path.join(__dirname, 'fixtures');

describe('service processes', () => {
  let dir: string;
  let service: RunningService | undefined;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duemap-service-spec-'));
  });

  afterAll(async () => {
    await service?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds services by their src/main.ts', () => {
    expect(discoverServices(FIXTURES)).toEqual(['demo']);
    expect(discoverServices(dir)).toEqual([]);
  });

  it('runs a service under swc with its env, waits for /health, and stops its whole process group', async () => {
    const port = await freePort();
    const logFile = path.join(dir, 'demo.log');
    service = await startService(
      'demo',
      { SERVICE_NAME: 'demo', HTTP_PORT: String(port) },
      { logFile, root: FIXTURES },
    );
    expect(service.url).toBe(`http://127.0.0.1:${port}`);
    expect(await waitForHealth(service, { timeoutMs: 30_000 })).toBe('healthy');
    const health = await fetch(`${service.url}/health`);
    expect(await health.json()).toEqual({ status: 'ok', service: 'demo' });

    const { pid } = service;
    await service.stop();
    service = undefined;
    expect(groupAlive(pid)).toBe(false);
    expect(pidsMatching(path.join('services', 'demo', 'src', 'main.ts'))).toEqual([]);
  });

  it('notices a service that exits instead of becoming healthy', async () => {
    // No HTTP_PORT: listen(NaN) throws, the process exits.
    const logFile = path.join(dir, 'broken.log');
    const broken = await startService('demo', { HTTP_PORT: 'not-a-port' }, { logFile, root: FIXTURES });
    expect(await waitForHealth(broken, { timeoutMs: 30_000 })).toBe('exited');
    await broken.stop();
  });
});
