import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectConfig } from '@duemap/config';
import type { GeocodingConfig } from '../../config';
import { GridMaintenanceRepository } from './grid-maintenance.repository';
import { gridDirtyCustomers, gridDrainedCustomers, gridDrainErrors, gridLagSeconds } from './grid-metrics';

/** How often the backlog gauges are sampled (a count over the marks table). */
const SAMPLE_EVERY_MS = 5000;
/** The marks table is vacuumed at most this often, when marks were taken since. */
const VACUUM_EVERY_MS = 10_000;
/** drain(): pause while another drainer holds the lock, and how long to keep trying. */
const BUSY_PAUSE_MS = 25;
const DRAIN_TIMEOUT_MS = 60_000;

/**
 * Keeps the map grid and the region roll-ups up to date off the writing transaction (ADR 0020):
 * pin and balance writes only mark their customer (map_grid_dirty); every
 * MAP_GRID_DRAIN_INTERVAL this applies the marks in batches of MAP_GRID_DRAIN_BATCH, at once
 * again while batches come back full. Runs in every instance; an advisory lock lets one drain at
 * a time, the others skip their turn. A failed batch rolls back with its marks, which the next
 * run takes again: nothing is lost, the grid only lags longer.
 */
@Injectable()
export class GridDrainer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(GridDrainer.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;
  private lastSample = 0;
  private lastVacuum = Date.now();
  private takenSinceVacuum = 0;
  private failing = false;

  constructor(
    @InjectConfig() private readonly config: GeocodingConfig,
    private readonly grid: GridMaintenanceRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.MAP_GRID_DRAIN_INTERVAL <= 0) {
      this.logger.warn(
        'map grid drainer is off (MAP_GRID_DRAIN_INTERVAL=0ms): the grid will not follow pin changes',
      );
      return;
    }
    this.schedule(0);
  }

  // Before the database connection closes (TypeORM closes it on application shutdown).
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /**
   * Applies every change committed before the call (waiting while another drainer holds the
   * lock); resolves with the customers this process applied. For tests and tools.
   */
  async drain(): Promise<number> {
    await this.running;
    const run = this.drainUntilShort(Date.now() + DRAIN_TIMEOUT_MS);
    this.running = run.catch(() => undefined);
    return run;
  }

  /** Batches until one comes back short; when another drainer holds the lock, waits (deadline) or stops. */
  private async drainUntilShort(waitUntil?: number): Promise<number> {
    const batch = this.config.MAP_GRID_DRAIN_BATCH;
    let applied = 0;
    for (;;) {
      const result = await this.grid.drainBatch(batch);
      if (!result.locked) {
        if (waitUntil === undefined) return applied;
        if (Date.now() > waitUntil) throw new Error('map grid drain: another drainer held the lock too long');
        await new Promise((resolve) => setTimeout(resolve, BUSY_PAUSE_MS));
        continue;
      }
      applied += result.claimed;
      this.takenSinceVacuum += result.claimed;
      gridDrainedCustomers.inc(result.claimed);
      if (result.claimed < batch || this.stopped) return applied;
    }
  }

  private async tick(): Promise<void> {
    try {
      await this.drainUntilShort();
      if (this.failing) this.logger.log('map grid drain: applying changes again');
      this.failing = false;
    } catch (err) {
      gridDrainErrors.inc();
      // Logged when failures start, not at every tick of an outage.
      if (!this.failing) this.logger.error({ err }, 'map grid drain failed; its changes stay marked');
      this.failing = true;
    }
    const now = Date.now();
    if (now - this.lastSample >= SAMPLE_EVERY_MS) {
      this.lastSample = now;
      await this.grid.backlog().then(
        (b) => {
          gridDirtyCustomers.set(b.dirty);
          gridLagSeconds.set(b.oldestSeconds);
        },
        (err: unknown) => this.logger.warn({ err }, 'map grid drain: backlog sample failed'),
      );
    }
    if (this.takenSinceVacuum > 0 && now - this.lastVacuum >= VACUUM_EVERY_MS) {
      this.lastVacuum = now;
      this.takenSinceVacuum = 0;
      await this.grid
        .vacuumMarks()
        .catch((err: unknown) => this.logger.warn({ err }, 'map grid drain: vacuum of the marks failed'));
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const run = (this.running ?? Promise.resolve()).then(() => this.tick());
      this.running = run;
      void run.finally(() => this.schedule(this.config.MAP_GRID_DRAIN_INTERVAL));
    }, delayMs);
    this.timer.unref();
  }
}
