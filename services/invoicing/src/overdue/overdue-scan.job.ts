import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectConfig } from '@duemap/config';
import type { InvoicingConfig } from '../config';
import { overdueMarked, overdueScanErrors } from './overdue.metrics';
import { MarkOverdueInvoicesUseCase } from './usecases/mark-overdue-invoices.usecase';

/**
 * Runs the overdue transition every OVERDUE_SCAN_INTERVAL, in every instance (the use case's
 * SKIP LOCKED claim makes that safe). A run takes batches until one comes back short, so a
 * backlog (after downtime, or at a busy midnight) clears in one run. Runs never overlap.
 */
@Injectable()
export class OverdueScanJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OverdueScanJob.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    @InjectConfig() private readonly config: InvoicingConfig,
    private readonly markOverdue: MarkOverdueInvoicesUseCase,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.OVERDUE_SCAN_INTERVAL <= 0) {
      this.logger.log('overdue scan is off (OVERDUE_SCAN_INTERVAL=0ms)');
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

  /** One run: batches until a short one. Exposed for tests and tools. */
  async runOnce(): Promise<number> {
    const batchSize = this.config.OVERDUE_SCAN_BATCH_SIZE;
    let total = 0;
    for (;;) {
      const marked = await this.markOverdue.execute(batchSize);
      total += marked;
      overdueMarked.inc(marked);
      if (marked < batchSize || this.stopped) return total;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then((marked) => {
          if (marked > 0) this.logger.log(`marked ${marked} invoice(s) overdue`);
        })
        .catch((err: unknown) => {
          overdueScanErrors.inc();
          this.logger.error(`overdue scan failed: ${err instanceof Error ? err.message : String(err)}`);
        })
        .finally(() => this.schedule(this.config.OVERDUE_SCAN_INTERVAL));
    }, delayMs);
    this.timer.unref();
  }
}
