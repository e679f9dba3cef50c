import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { Message } from 'kafkajs';
import { Client } from 'pg';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import {
  outboxLag,
  outboxPublished,
  outboxPublishErrors,
  outboxVacuumSeconds,
  outboxVacuums,
} from '../metrics';
import type { RenewingProducer } from '../kafka/renewing-producer';
import { OUTBOX_SHARDS } from './shard';

export interface OutboxRelayOptions {
  dataSource: DataSource;
  /**
   * A connected producer; the relay does not own its lifecycle. A RenewingProducer: a kafkajs
   * producer must not send again after a failed send (ADR 0011).
   */
  producer: Pick<RenewingProducer, 'sendBatch'>;
  logger: Logger;
  /** Connection string for a LISTEN connection; without it the relay only polls. */
  notifyUrl?: string;
  batchSize?: number;
  /**
   * Most shards one claim takes (default: all of them). Claims lock free shards with work in random
   * order, so several relay instances share the shards as they come free; a smaller number only
   * makes a lone relay leave rows behind for its next claim.
   */
  shardsPerClaim?: number;
  idlePollMs?: number;
  /**
   * After a batch smaller than batchSize, wait this long before claiming again, so that under a
   * steady trickle of writes one claim and one Kafka request carry several rows (default 10 ms).
   */
  lingerMs?: number;
  maxBackoffMs?: number;
  /**
   * After publishing, VACUUM the outbox at most this often (default 10 s; 0: never). See
   * `vacuumIfDue`.
   */
  vacuumIntervalMs?: number;
}

interface ClaimedRow {
  id: string;
  topic: string;
  message_key: string;
  payload: Buffer;
  headers: Record<string, string>;
  created_at: Date;
}

/** Advisory-lock namespace of the outbox shards (an arbitrary constant, "OUTB"). */
export const OUTBOX_SHARD_LOCK_NAMESPACE = 0x4f555442;

// Pick free shards that have work, in random order so instances spread over them, lock them for
// this transaction, then take their oldest rows out of the outbox, in one statement. The lock keeps
// a key's events on one relay; SKIP LOCKED keeps a stray concurrent claimer from blocking us. The
// rows are deleted, not marked: once Kafka has them the outbox has no use for them (a mark would
// write a second version of every row and three index entries, and still need a purge). If Kafka
// then refuses, the transaction rolls back and the rows are pending again.
// The claim's commit does not wait for its WAL flush (synchronous_commit off for this transaction
// only): a commit lost in a Postgres crash only brings back rows that Kafka already has, so they
// are published again — the duplicate that a crash between publish and commit already makes, and
// that consumers' inboxes absorb. Nothing is lost, and the relay stops paying a flush per batch.
const CLAIM_SQL = `
  WITH relaxed AS (
    SELECT set_config('synchronous_commit', 'off', true)
  ), pending AS (
    SELECT s FROM generate_series(0, $2::int - 1) AS s, relaxed
    WHERE EXISTS (SELECT 1 FROM outbox WHERE shard = s)
    ORDER BY random()
  ), mine AS (
    SELECT s FROM pending WHERE pg_try_advisory_xact_lock($1::int, s) LIMIT $3
  ), claimed AS (
    SELECT o.id FROM outbox o
    WHERE o.shard IN (SELECT s FROM mine)
    ORDER BY o.id
    LIMIT $4
    FOR UPDATE OF o SKIP LOCKED
  )
  DELETE FROM outbox o USING claimed c WHERE o.id = c.id
  RETURNING o.id, o.topic, o.message_key, o.payload, o.headers, o.created_at`;

const tracer = trace.getTracer('@duemap/messaging');

/**
 * Publishes committed outbox rows to Kafka and deletes them, in one database transaction per
 * batch: if Kafka refuses, the transaction rolls back and the rows stay pending (at-least-once).
 * Safe to run in several processes at once.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly shardsPerClaim: number;
  private readonly idlePollMs: number;
  private readonly lingerMs: number;
  private readonly maxBackoffMs: number;
  private readonly vacuumIntervalMs: number;
  private lastVacuum = Date.now();
  private publishedSinceVacuum = 0;
  private vacuuming?: Promise<void>;
  private running = false;
  private loop?: Promise<void>;
  private listener?: Client;
  private wake?: () => void;
  // A notification that arrives while a claim runs must not be lost, or we would sleep on work.
  private woken = false;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.shardsPerClaim = options.shardsPerClaim ?? OUTBOX_SHARDS;
    this.idlePollMs = options.idlePollMs ?? 1000;
    this.lingerMs = options.lingerMs ?? 10;
    this.maxBackoffMs = options.maxBackoffMs ?? 2000;
    this.vacuumIntervalMs = options.vacuumIntervalMs ?? 10_000;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    if (this.options.notifyUrl) await this.listen(this.options.notifyUrl);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.notify();
    await this.loop;
    await this.vacuuming;
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
  }

  /** Claims and publishes one batch; returns how many rows it published. */
  async relayOnce(): Promise<number> {
    return this.options.dataSource.transaction(async (em) => {
      // TypeORM answers a DELETE … RETURNING with [rows, affected].
      const [claimed]: [ClaimedRow[], number] = await em.query(CLAIM_SQL, [
        OUTBOX_SHARD_LOCK_NAMESPACE,
        OUTBOX_SHARDS,
        this.shardsPerClaim,
        this.batchSize,
      ]);
      if (claimed.length === 0) return 0;
      // RETURNING has no order: publish in outbox id order, which is each key's order.
      const rows = claimed.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
      await this.publish(rows);
      return rows.length;
    });
  }

  private async publish(rows: ClaimedRow[]): Promise<void> {
    const spans: Span[] = [];
    const byTopic = new Map<string, Message[]>();
    for (const row of rows) {
      // Continue the trace of the transaction that wrote the row, not the relay's own.
      const parent = propagation.extract(context.active(), row.headers);
      const span = tracer.startSpan(
        `${row.topic} publish`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.destination.name': row.topic,
            'messaging.kafka.message.key': row.message_key,
            'messaging.message.id': row.headers['event-id'] ?? '',
          },
        },
        parent,
      );
      spans.push(span);
      const headers: Record<string, string> = { ...row.headers };
      propagation.inject(trace.setSpan(parent, span), headers);
      const messages = byTopic.get(row.topic) ?? [];
      messages.push({ key: row.message_key, value: row.payload, headers });
      byTopic.set(row.topic, messages);
    }
    try {
      await this.options.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (err) {
      for (const span of spans) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
      throw err;
    }
    const now = Date.now();
    for (const row of rows) {
      outboxPublished.inc({ topic: row.topic });
      outboxLag.observe((now - new Date(row.created_at).getTime()) / 1000);
    }
    for (const span of spans) span.end();
  }

  private async run(): Promise<void> {
    let backoff = 0;
    while (this.running) {
      try {
        const published = await this.relayOnce();
        backoff = 0;
        this.publishedSinceVacuum += published;
        this.vacuumIfDue();
        if (published === 0) {
          await this.idle(this.idlePollMs);
          // Woken by a commit: let the rows of the transactions committing right behind it join.
          await sleep(this.lingerMs);
        } else if (published < this.batchSize) {
          await sleep(this.lingerMs);
        }
      } catch (err) {
        outboxPublishErrors.inc();
        backoff = Math.min(Math.max(backoff * 2, 100), this.maxBackoffMs);
        this.options.logger.warn(
          { err, retryInMs: backoff },
          'outbox relay: publish failed, rows stay pending',
        );
        await this.idle(backoff);
      }
    }
  }

  /**
   * Every published row leaves a dead tuple behind, and its entry in the pending index: until a
   * vacuum removes them, each claim steps over all of them to find the first pending row of a
   * shard, so under steady load claims cost more every second. Autovacuum's defaults (20 % of the
   * table changed, a pass a minute at best) are far too lax for a queue table, and some servers
   * run without it, so the relay vacuums its own table, which it alone churns.
   * The vacuum runs beside the claims, on a connection of its own: awaited in the loop, it held
   * back every row committed meanwhile for as long as it took (tens of ms under load here).
   * One at a time; `stop` waits for it.
   */
  private vacuumIfDue(): void {
    if (this.vacuumIntervalMs <= 0 || this.publishedSinceVacuum === 0 || this.vacuuming) return;
    if (Date.now() - this.lastVacuum < this.vacuumIntervalMs) return;
    this.lastVacuum = Date.now();
    this.publishedSinceVacuum = 0;
    this.vacuuming = this.vacuum().finally(() => {
      this.vacuuming = undefined;
    });
  }

  private async vacuum(): Promise<void> {
    const started = performance.now();
    try {
      // SKIP_LOCKED: another relay instance vacuuming it already is as good. TRUNCATE false: giving
      // the emptied tail pages back takes an exclusive lock that stops every writer of the outbox
      // (each service's transactions) while it lasts; the pages are reused by the next inserts.
      await this.options.dataSource.query('VACUUM (SKIP_LOCKED, TRUNCATE false) outbox');
      outboxVacuums.inc({ outcome: 'done' });
    } catch (err) {
      // Publishing goes on without it (claims only get slower until a later one succeeds): not a
      // publish failure, so no backoff, and it says what failed.
      outboxVacuums.inc({ outcome: 'failed' });
      this.options.logger.warn({ err }, 'outbox relay: VACUUM of the outbox failed, publishing goes on');
    } finally {
      outboxVacuumSeconds.observe((performance.now() - started) / 1000);
    }
  }

  private idle(ms: number): Promise<void> {
    if (this.woken || !this.running) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private notify(): void {
    if (this.wake) this.wake();
    else this.woken = true;
  }

  private async listen(url: string): Promise<void> {
    const client = new Client({ connectionString: url });
    client.on('notification', () => this.notify());
    // A lost LISTEN connection only costs latency (polling goes on); say so and carry on.
    client.on('error', (err) =>
      this.options.logger.warn({ err }, 'outbox relay: LISTEN connection lost, polling only'),
    );
    await client.connect();
    await client.query('LISTEN duemap_outbox');
    this.listener = client;
  }
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
