import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { inboxPurged } from '../metrics';

export interface InboxPurgerOptions {
  dataSource: DataSource;
  logger: Logger;
  /**
   * How long an inbox row is kept after its event was applied. It must outlast every way the same
   * event can come again: the longest is Kafka keeping the message (up to retention.ms + segment.ms
   * of its topic), since a group whose committed offsets expired starts over from the oldest message
   * kept. MessagingRuntime checks it against the topics' configuration (inbox-retention.ts).
   */
  retentionMs: number;
  /** Pause between purges (each deletes every row past the retention, batch by batch). */
  intervalMs: number;
  /** Rows per DELETE, so that no statement holds many locks or writes much WAL at once. */
  batchSize?: number;
}

// The oldest rows first, found through the BRIN index on processed_at (rows arrive in time order).
const PURGE_SQL = `
  DELETE FROM inbox WHERE ctid = ANY(ARRAY(
    SELECT ctid FROM inbox WHERE processed_at < $1 LIMIT $2
  ))`;

/**
 * Keeps the inbox from growing with every event ever consumed: every `intervalMs` it deletes the
 * rows older than `retentionMs`, then vacuums the table if it deleted any (a server may run without
 * autovacuum, as the relay's outbox vacuum explains). Safe to run in several processes at once: a
 * row deleted twice is deleted once. One purge at a time; `stop` waits for the one running.
 */
export class InboxPurger {
  private readonly batchSize: number;
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(private readonly options: InboxPurgerOptions) {
    this.batchSize = options.batchSize ?? 5000;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.purgeOnce(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Deletes every row past the retention; resolves with how many (0 when a purge failed). */
  purgeOnce(): Promise<number> {
    this.running ??= this.purge().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async purge(): Promise<number> {
    const before = new Date(Date.now() - this.options.retentionMs);
    let purged = 0;
    try {
      for (;;) {
        // TypeORM answers a DELETE with [rows, affected].
        const [, deleted]: [unknown[], number] = await this.options.dataSource.query(PURGE_SQL, [
          before,
          this.batchSize,
        ]);
        purged += deleted;
        inboxPurged.inc(deleted);
        if (deleted < this.batchSize) break;
      }
      if (purged > 0) {
        await this.vacuum();
        this.options.logger.info({ purged, before }, 'inbox: purged rows past retention');
      }
    } catch (err) {
      // Nothing is lost: the rows stay until the next purge. Say so and carry on consuming.
      this.options.logger.warn({ err, purged }, 'inbox: purge failed, rows stay until the next one');
    }
    return purged;
  }

  /**
   * A VACUUM of a large inbox (days of events) may run longer than a service's statements may
   * (DATABASE_STATEMENT_TIMEOUT): cut short each time, it would never free anything. So its
   * connection lifts the limit for it and restores the session's own afterwards.
   */
  private async vacuum(): Promise<void> {
    const runner = this.options.dataSource.createQueryRunner();
    try {
      await runner.query('SET statement_timeout = 0');
      await runner.query('VACUUM (SKIP_LOCKED) inbox');
    } finally {
      await runner.query('RESET statement_timeout').catch(() => undefined);
      await runner.release();
    }
  }
}
