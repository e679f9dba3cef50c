import { register } from 'prom-client';
import type { GeocodingConfig } from '../../config';
import { GridDrainer } from './grid-drainer';
import type { DrainBatch, GridMaintenanceRepository } from './grid-maintenance.repository';

const config = (interval: number, batch: number) =>
  ({ MAP_GRID_DRAIN_INTERVAL: interval, MAP_GRID_DRAIN_BATCH: batch }) as GeocodingConfig;

function repoWith(batches: DrainBatch[]) {
  const drainBatch = jest.fn<Promise<DrainBatch>, [number]>();
  for (const b of batches) drainBatch.mockResolvedValueOnce(b);
  drainBatch.mockResolvedValue({ locked: true, claimed: 0, oldestSeconds: 0 });
  const repo = {
    drainBatch,
    backlog: jest.fn().mockResolvedValue({ dirty: 3, oldestSeconds: 1.5 }),
    vacuumMarks: jest.fn().mockResolvedValue(undefined),
  };
  return { repo, grid: repo as unknown as GridMaintenanceRepository };
}

const gauge = async (name: string): Promise<number | undefined> =>
  (await register.getSingleMetric(name)?.get())?.values[0]?.value;

describe('GridDrainer', () => {
  it('drains batch after batch while they come back full, and stops at a short one', async () => {
    const { repo, grid } = repoWith([
      { locked: true, claimed: 10, oldestSeconds: 2 },
      { locked: true, claimed: 10, oldestSeconds: 1 },
      { locked: true, claimed: 4, oldestSeconds: 0.5 },
    ]);
    const drainer = new GridDrainer(config(0, 10), grid);
    expect(await drainer.drain()).toBe(24);
    expect(repo.drainBatch).toHaveBeenCalledTimes(3);
    expect(repo.drainBatch).toHaveBeenCalledWith(10);
  });

  it('drain() waits while another drainer holds the lock, then applies what is marked', async () => {
    const { repo, grid } = repoWith([
      { locked: false },
      { locked: false },
      { locked: true, claimed: 2, oldestSeconds: 0 },
    ]);
    expect(await new GridDrainer(config(0, 10), grid).drain()).toBe(2);
    expect(repo.drainBatch).toHaveBeenCalledTimes(3);
  });

  it('runs on its interval once started, samples the backlog into the gauges, and stops', async () => {
    const { repo, grid } = repoWith([]);
    const drainer = new GridDrainer(config(5, 100), grid);
    drainer.onApplicationBootstrap();
    const deadline = Date.now() + 10_000;
    while (repo.drainBatch.mock.calls.length < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await drainer.beforeApplicationShutdown();
    expect(repo.drainBatch.mock.calls.length).toBeGreaterThanOrEqual(3);
    expect(await gauge('duemap_map_grid_dirty_customers')).toBe(3);
    expect(await gauge('duemap_map_grid_lag_seconds')).toBe(1.5);
  });

  it('keeps running after a failed batch and counts the failure', async () => {
    const { repo, grid } = repoWith([]);
    repo.drainBatch.mockRejectedValueOnce(new Error('connection reset'));
    const errors = async () => (await gauge('duemap_map_grid_drain_errors_total')) ?? 0;
    const before = await errors();
    const drainer = new GridDrainer(config(5, 100), grid);
    drainer.onApplicationBootstrap();
    const deadline = Date.now() + 10_000;
    while (repo.drainBatch.mock.calls.length < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await drainer.beforeApplicationShutdown();
    expect(repo.drainBatch.mock.calls.length).toBeGreaterThanOrEqual(3);
    expect(await errors()).toBe(before + 1);
  });

  it('does not start with MAP_GRID_DRAIN_INTERVAL=0', async () => {
    jest.useFakeTimers();
    try {
      const { repo, grid } = repoWith([]);
      const drainer = new GridDrainer(config(0, 100), grid);
      drainer.onApplicationBootstrap();
      expect(jest.getTimerCount()).toBe(0);
      await drainer.beforeApplicationShutdown();
      expect(repo.drainBatch).not.toHaveBeenCalled();
    } finally {
      jest.useRealTimers();
    }
  });
});
