import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { Message } from 'kafkajs';
import { Client } from 'pg';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import type { RenewingProducer } from '../kafka/renewing-producer';
import {
  outboxLag,
  outboxParked,
  outboxParkedRows,
  outboxPublished,
  outboxPublishErrors,
  outboxVacuumSeconds,
  outboxVacuums,
} from '../metrics';
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
  /** Most rows one claim takes (default 500). */
  batchSize?: number;
  /**
   * Most bytes of payload, headers and key one claim takes (default 900,000), and always at least
   * one row. kafkajs sends a claim's rows for one partition as one record batch and does not split
   * it; the broker refuses a batch over its `message.max.bytes` (1 MB by default) whole, and the
   * same claim would fail on every retry.
   */
  maxBatchBytes?: number;
  /**
   * Whether the cluster has a topic; asked before a row is parked for UNKNOWN_TOPIC_OR_PARTITION,
   * which a partition whose leader moved also answers for a while. Without it such rows are never
   * parked: the claim fails and is retried like an outage.
   */
  topicExists?: (topic: string) => Promise<boolean>;
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
  event_id: string;
  topic: string;
  message_key: string;
  event_type: string;
  payload: Buffer;
  headers: Record<string, string>;
  shard: number;
  created_at: Date;
  /** Rows the claim locked before it cut at `maxBatchBytes` (the same in every row). */
  locked: string;
}

interface ParkedRow {
  row: ClaimedRow;
  reason: string;
  err: unknown;
}

interface Claim {
  claimed: number;
  published: number;
  /** The claim stopped at batchSize or maxBatchBytes: more rows may be waiting. */
  full: boolean;
  parked: ParkedRow[];
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
// The claim stops at $5 bytes of payload, headers and key (always one row at least). Row locks are
// not allowed beside a window function, so it locks up to $4 rows and deletes the prefix that fits;
// the rest stay locked, unclaimed, until the commit.
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
    SELECT o.id, octet_length(o.payload) + octet_length(o.headers::text) + octet_length(o.message_key) AS bytes
    FROM outbox o
    WHERE o.shard IN (SELECT s FROM mine)
    ORDER BY o.id
    LIMIT $4
    FOR UPDATE OF o SKIP LOCKED
  ), sized AS (
    SELECT id, sum(bytes) OVER (ORDER BY id) AS running, row_number() OVER (ORDER BY id) AS n,
      count(*) OVER () AS locked
    FROM claimed
  ), fitting AS (
    SELECT id, locked FROM sized WHERE running <= $5 OR n = 1
  )
  DELETE FROM outbox o USING fitting f WHERE o.id = f.id
  RETURNING o.id, o.event_id, o.topic, o.message_key, o.event_type, o.payload, o.headers, o.shard,
    o.created_at, f.locked`;

const PARK_SQL = `
  INSERT INTO outbox_parked
    (id, event_id, topic, message_key, event_type, payload, headers, shard, created_at, reason)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`;

/**
 * Kafka's answers that a row alone gets again on every retry, however long the relay waits: too
 * large for the broker, or for a topic the cluster does not have (asked: see topicExists).
 * Everything else — timeouts, lost connections, leader elections, a paused or stopped broker — is
 * an outage: the claim rolls back and is retried.
 */
const PERMANENT_ERRORS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'INVALID_TOPIC_EXCEPTION',
  'UNKNOWN_TOPIC_OR_PARTITION',
]);

/** The permanent Kafka error behind a failed send (kafkajs wraps it in retry errors), if any. */
function permanentError(err: unknown): string | undefined {
  let e = err;
  for (let depth = 0; e instanceof Error && depth < 5; depth++) {
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string' && PERMANENT_ERRORS.has(type)) return type;
    e = e.cause;
  }
  return undefined;
}

const tracer = trace.getTracer('@duemap/messaging');

/**
 * Publishes committed outbox rows to Kafka and deletes them, in one database transaction per
 * batch: if Kafka refuses, the transaction rolls back and the rows stay pending (at-least-once).
 * Safe to run in several processes at once.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly maxBatchBytes: number;
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
    this.maxBatchBytes = options.maxBatchBytes ?? 900_000;
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
    await this.countParked();
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
    return (await this.claimAndPublish()).published;
  }

  private async claimAndPublish(): Promise<Claim> {
    const claim = await this.options.dataSource.transaction(async (em): Promise<Claim> => {
      // TypeORM answers a DELETE … RETURNING with [rows, affected].
      const [claimed]: [ClaimedRow[], number] = await em.query(CLAIM_SQL, [
        OUTBOX_SHARD_LOCK_NAMESPACE,
        OUTBOX_SHARDS,
        this.shardsPerClaim,
        this.batchSize,
        this.maxBatchBytes,
      ]);
      if (claimed.length === 0) return { claimed: 0, published: 0, full: false, parked: [] };
      // RETURNING has no order: publish in outbox id order, which is each key's order.
      const rows = claimed.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
      const full = rows.length >= this.batchSize || Number(rows[0]?.locked) > rows.length;
      try {
        await this.publish(rows);
        return { claimed: rows.length, published: rows.length, full, parked: [] };
      } catch (err) {
        if (permanentError(err) === undefined) throw err;
        return { claimed: rows.length, full, ...(await this.publishOneByOne(em, rows)) };
      }
    });
    if (claim.parked.length > 0) await this.reportParked(claim.parked);
    return claim;
  }

  /**
   * A claim Kafka refused for a reason that does not pass with time: one row can never be published
   * (or several rows of one partition were too large together). Each row goes alone, in id order;
   * one refused alone for good is parked, the others are published. Any other failure is an outage
   * and rolls the whole claim back, rows already sent included (consumers absorb the copies).
   * Parking a row lets its key's later rows go on without it.
   */
  private async publishOneByOne(
    em: EntityManager,
    rows: ClaimedRow[],
  ): Promise<{ published: number; parked: ParkedRow[] }> {
    let published = 0;
    const parked: ParkedRow[] = [];
    for (const row of rows) {
      try {
        await this.publish([row]);
        published++;
      } catch (err) {
        const reason = await this.neverPublishable(row, err);
        if (reason === undefined) throw err;
        await em.query(PARK_SQL, [
          row.id,
          row.event_id,
          row.topic,
          row.message_key,
          row.event_type,
          row.payload,
          row.headers,
          row.shard,
          row.created_at,
          reason,
        ]);
        parked.push({ row, reason, err });
      }
    }
    return { published, parked };
  }

  /** Why Kafka will never take this row alone, or undefined if it may once an outage passes. */
  private async neverPublishable(row: ClaimedRow, err: unknown): Promise<string | undefined> {
    const reason = permanentError(err);
    if (reason !== 'UNKNOWN_TOPIC_OR_PARTITION') return reason;
    const exists = await this.options.topicExists?.(row.topic).catch(() => undefined);
    return exists === false ? reason : undefined;
  }

  private async reportParked(parked: ParkedRow[]): Promise<void> {
    for (const { row, reason, err } of parked) {
      outboxParked.inc({ topic: row.topic, reason });
      // The alert: an event its consumers will never see until an operator moves it back.
      this.options.logger.error(
        { err, id: row.id, eventId: row.event_id, topic: row.topic, key: row.message_key, reason },
        'outbox relay: Kafka can never take this event; parked in outbox_parked, later events of its key go on',
      );
    }
    await this.countParked();
  }

  /** `duemap_outbox_parked_rows`: at start, after parking, and after each VACUUM. */
  private async countParked(): Promise<void> {
    try {
      const [counted] = await this.options.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM outbox_parked`,
      );
      outboxParkedRows.set(counted?.n ?? 0);
    } catch (err) {
      this.options.logger.warn({ err }, 'outbox relay: could not count parked rows');
    }
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
        const { claimed, published, full } = await this.claimAndPublish();
        backoff = 0;
        this.publishedSinceVacuum += published;
        this.vacuumIfDue();
        if (claimed === 0) {
          await this.idle(this.idlePollMs);
          // Woken by a commit: let the rows of the transactions committing right behind it join.
          await sleep(this.lingerMs);
        } else if (!full) {
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
    // Then the parked rows: one an operator moved back or deleted shows without a restart.
    this.vacuuming = this.vacuum()
      .then(() => this.countParked())
      .finally(() => {
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
