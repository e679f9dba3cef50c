import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectConfig } from '@duemap/config';
import { Counter, register, type Metric } from 'prom-client';
import type { PaymentsConfig } from '../config';
import {
  RecordStatementPaymentsUseCase,
  type StatementPaymentsOutcome,
} from './usecases/record-statement-payments.usecase';

function metric<T extends Metric>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

const linesDecided = metric(
  'duemap_cash_application_lines_total',
  () =>
    new Counter({
      name: 'duemap_cash_application_lines_total',
      help: 'Bank statement credit lines decided by cash application, by outcome (applied, needs_review, known, refused)',
      labelNames: ['outcome'],
    }),
);

const runErrors = metric(
  'duemap_cash_application_errors_total',
  () =>
    new Counter({
      name: 'duemap_cash_application_errors_total',
      help: 'Cash application runs that failed (their lines wait for the next run)',
    }),
);

/**
 * Applies imported statement lines off the upload's request: every CASH_APPLICATION_INTERVAL it
 * takes batches of waiting lines (again at once while batches come back full). Lines are claimed
 * with SKIP LOCKED, so every instance runs one and they share the work.
 */
@Injectable()
export class CashApplicationWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(CashApplicationWorker.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;
  private failing = false;

  constructor(
    @InjectConfig() private readonly config: PaymentsConfig,
    private readonly record: RecordStatementPaymentsUseCase,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.CASH_APPLICATION_INTERVAL <= 0) {
      this.logger.warn('cash application of statement lines is off (CASH_APPLICATION_INTERVAL=0ms)');
      return;
    }
    this.schedule(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Decides every waiting line (for tests and tools); resolves with the totals of this call. */
  async drain(): Promise<StatementPaymentsOutcome> {
    await this.running;
    const run = this.runUntilShort();
    this.running = run.catch(() => undefined);
    return run;
  }

  private async runUntilShort(): Promise<StatementPaymentsOutcome> {
    const total: StatementPaymentsOutcome = { lines: 0, applied: 0, needsReview: 0, known: 0, refused: 0 };
    const batch = this.config.CASH_APPLICATION_BATCH;
    for (;;) {
      const outcome = await this.record.execute(batch);
      total.lines += outcome.lines;
      total.applied += outcome.applied;
      total.needsReview += outcome.needsReview;
      total.known += outcome.known;
      total.refused += outcome.refused;
      linesDecided.inc({ outcome: 'applied' }, outcome.applied);
      linesDecided.inc({ outcome: 'needs_review' }, outcome.needsReview);
      linesDecided.inc({ outcome: 'known' }, outcome.known);
      linesDecided.inc({ outcome: 'refused' }, outcome.refused);
      if (outcome.lines < batch || this.stopped) return total;
    }
  }

  private async tick(): Promise<void> {
    try {
      const outcome = await this.runUntilShort();
      if (outcome.lines > 0) this.logger.log({ ...outcome }, 'statement lines applied');
      if (this.failing) this.logger.log('cash application of statement lines runs again');
      this.failing = false;
    } catch (err) {
      runErrors.inc();
      if (!this.failing) this.logger.error({ err }, 'cash application of statement lines failed; they wait');
      this.failing = true;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const run = (this.running ?? Promise.resolve()).then(() => this.tick());
      this.running = run;
      void run.finally(() => this.schedule(this.config.CASH_APPLICATION_INTERVAL));
    }, delayMs);
    this.timer.unref();
  }
}
