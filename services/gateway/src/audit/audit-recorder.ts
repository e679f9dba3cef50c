import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { Counter, Gauge } from 'prom-client';
import type { Identity, MatchedOperation } from '@duemap/auth';
import type { AuditEntry } from './audit-chain';
import type { AuditLogStore } from './audit-log.store';
import { isAudited } from './audited-calls';
import { entryOfCall } from './entry-of-call';

// Module-level: the default registry refuses a second metric of one name, and the gateway is
// created more than once in a test process.
const written = new Counter({
  name: 'duemap_audit_entries_written_total',
  help: 'Audit entries committed to audit_log',
});
const failures = new Counter({
  name: 'duemap_audit_write_failures_total',
  help: 'Audit batches that failed to commit (they are retried, in order)',
});
const dropped = new Counter({
  name: 'duemap_audit_entries_dropped_total',
  help: 'Audit entries dropped because the buffer was full while the database did not take them',
});
const buffered = new Gauge({
  name: 'duemap_audit_buffered_entries',
  help: 'Audit entries waiting in memory to be written',
});

export interface AuditRecorderOptions {
  /** A batch is written this long after its first entry… */
  flushIntervalMs: number;
  /** …or as soon as it has this many. */
  batchSize: number;
  /** Entries kept while the database is unreachable; beyond it the oldest are dropped (and counted). */
  maxBuffered: number;
  /** X-Forwarded-For is believed for this many proxies of our own (0: the socket's peer only). */
  trustedProxies: number;
  /** Longest wait between retries of a failed batch. */
  maxRetryDelayMs: number;
}

export const DEFAULT_AUDIT_OPTIONS: AuditRecorderOptions = {
  flushIntervalMs: 50,
  batchSize: 200,
  maxBuffered: 100_000,
  trustedProxies: 0,
  maxRetryDelayMs: 5_000,
};

/**
 * Keeps the audit trail off the request path: `record` only builds the entry and queues it; a
 * writer commits the queue in batches (one transaction each, in arrival order). A batch that fails
 * stays at the head of the queue and is retried with backoff, so order is never lost; `close`
 * writes what is left. What is queued and not yet committed is lost if the process is killed
 * (at most flushIntervalMs of calls while the database answers).
 */
export class AuditRecorder {
  private readonly queue: AuditEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private retryDelayMs = 0;
  private closed = false;
  private readonly options: AuditRecorderOptions;

  constructor(
    private readonly store: AuditLogStore,
    private readonly log: Logger,
    options: Partial<AuditRecorderOptions> = {},
  ) {
    this.options = { ...DEFAULT_AUDIT_OPTIONS, ...options };
  }

  /** Called once a call to /api/v1 was answered (or its client went away). */
  record(
    req: IncomingMessage,
    res: ServerResponse,
    identity: Identity | undefined,
    operation: MatchedOperation | undefined,
  ): void {
    if (!isAudited(req.method ?? 'GET', req.url ?? '/')) return;
    let entry: AuditEntry;
    try {
      entry = entryOfCall({ req, res, identity, operation, trustedProxies: this.options.trustedProxies });
    } catch (err) {
      this.log.error({ err, method: req.method }, 'audit entry could not be built');
      return;
    }
    this.enqueue(entry);
  }

  enqueue(entry: AuditEntry): void {
    if (this.queue.length >= this.options.maxBuffered) {
      this.queue.shift();
      dropped.inc();
      this.log.error('audit buffer full: the oldest entry was dropped (is the gateway database down?)');
    }
    this.queue.push(entry);
    buffered.set(this.queue.length);
    if (this.closed) return;
    if (this.queue.length >= this.options.batchSize && this.retryDelayMs === 0) this.writeNow();
    else this.schedule(this.retryDelayMs || this.options.flushIntervalMs);
  }

  get pending(): number {
    return this.queue.length;
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.writing) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writeNow();
    }, delayMs);
    // An idle gateway must not be kept alive by its audit timer; close() writes the rest.
    this.timer.unref();
  }

  private writeNow(): void {
    if (this.writing) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.writing = this.drain().finally(() => {
      this.writing = undefined;
      if (this.queue.length > 0 && !this.closed)
        this.schedule(this.retryDelayMs || this.options.flushIntervalMs);
    });
  }

  /** Writes batches until the queue is empty or one fails (then it waits for its retry). */
  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.options.batchSize);
      try {
        await this.store.append(batch);
      } catch (err) {
        failures.inc();
        this.retryDelayMs = Math.min(
          this.options.maxRetryDelayMs,
          Math.max(this.options.flushIntervalMs, this.retryDelayMs * 2),
        );
        this.log.error(
          { err, entries: batch.length, retryInMs: this.retryDelayMs },
          'audit batch not written; retrying',
        );
        return;
      }
      this.retryDelayMs = 0;
      // Entries may have been dropped from the front while the batch was being written.
      const committed = this.queue.indexOf(batch[batch.length - 1] as AuditEntry);
      this.queue.splice(0, committed + 1);
      written.inc(batch.length);
      buffered.set(this.queue.length);
    }
  }

  /** Writes everything queued; gives up (logging how many entries are lost) after `timeoutMs`. */
  async close(timeoutMs = 10_000): Promise<void> {
    this.closed = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length > 0 || this.writing) {
      if (this.writing) await this.writing;
      else {
        if (Date.now() >= deadline) break;
        this.writing = this.drain().finally(() => (this.writing = undefined));
        await this.writing;
        if (this.queue.length > 0) {
          const wait = Math.min(this.retryDelayMs, Math.max(0, deadline - Date.now()));
          await new Promise((resolve) => setTimeout(resolve, wait));
        }
      }
      if (Date.now() >= deadline) break;
    }
    if (this.queue.length > 0) {
      this.log.error(
        { entries: this.queue.length },
        'audit entries not written before shutdown: they are lost',
      );
    }
  }
}
