import { dlqTopic } from '@duemap/events';
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import {
  consumerLagMessages,
  dlqMessages,
  outboxOldestPendingSeconds,
  outboxPendingRows,
} from './pipe-metrics';

/** How far each part of the pipe may fall behind before readiness degrades. */
export interface PipeBounds {
  /** Age of the oldest pending outbox row (ms). */
  outboxMaxAgeMs: number;
  /** Messages a topic may lag for the consumer group… */
  lagMax: number;
  /**
   * …for at most this long (ms): a burst the group works off is not a stuck pipe. Also how long the
   * group may stay where it is on a topic while messages wait, however few.
   */
  lagMaxForMs: number;
  /** Dead letters a consumed topic's `.dlq` twin may gain within `dlqWindowMs`. */
  dlqMaxNew: number;
  dlqWindowMs: number;
}

export const DEFAULT_PIPE_BOUNDS: PipeBounds = {
  outboxMaxAgeMs: 30_000,
  lagMax: 10_000,
  lagMaxForMs: 60_000,
  dlqMaxNew: 0,
  dlqWindowMs: 5 * 60_000,
};
export const DEFAULT_PIPE_SAMPLE_INTERVAL_MS = 5000;

/** The consumer group of this process and the topics it reads. */
export interface Consumption {
  groupId: string;
  topics: readonly string[];
}

export interface PipeMonitorOptions extends Partial<PipeBounds> {
  dataSource: DataSource;
  /** The service's client (createKafka): the monitor opens one admin client on it. */
  kafka: Kafka;
  logger: Logger;
  /** What this process consumes, once its consumer runs; undefined without one (nothing can lag). */
  consumption: () => Consumption | undefined;
  sampleIntervalMs?: number;
  now?: () => number;
}

/** One part of the pipe, judged: what /health reports under `key`. */
export interface PipeCondition {
  key: 'outbox' | 'consumer_lag' | 'dlq';
  healthy: boolean;
  /** Why it is not healthy. */
  message?: string;
  details: Record<string, unknown>;
}

export interface OutboxSample {
  pendingRows: number;
  oldestPendingSeconds: number;
  /**
   * Rows that can never be published (too large, unknown topic), set aside in `outbox_parked` by
   * the relay. Any parked row degrades readiness: it waits for a human, so no age bound applies.
   */
  parkedRows?: number;
}

// One statement over the outbox, which holds only the backlog (the relay deletes what it
// publishes, ADR 0009): a scan of a few rows normally, of the backlog when there is one. No index
// on created_at is worth its cost per insert for a sample taken every few seconds.
const OUTBOX_SQL = `
  SELECT count(*) AS pending,
         coalesce(extract(epoch FROM clock_timestamp() - min(created_at)), 0)::float8 AS oldest,
         (SELECT count(*) FROM outbox_parked) AS parked
  FROM outbox`;

interface Failure {
  error: string;
  /** When the first failure of this run of failures happened. */
  since: number;
}

interface Offsets {
  consumption: Consumption;
  /** Per consumed topic. */
  lag: Map<string, number>;
  /** Per DLQ twin: what it holds. */
  held: Map<string, number>;
}

/**
 * Watches the event pipe of one service process and tells readiness when it is stuck: outbox rows
 * waiting longer than a bound (a wedged relay), the consumer group lagging above a bound for a
 * while or not moving at all while messages wait, the `.dlq` twins of the topics it consumes
 * gaining dead letters. It samples in the
 * background every few seconds — one outbox query, a few Kafka admin requests (the group's
 * committed offsets, each topic's log start and end) — and `conditions()` judges the cached
 * samples, so a /health request costs no I/O and a probe storm cannot load Postgres or Kafka.
 * The same samples feed the gauges on /metrics.
 *
 * DLQs watched are those of the topics this service consumes: the twins of the topics it produces
 * hold other services' failures, which this service's readiness cannot help with. A twin shared
 * with other groups consuming the same topic counts their dead letters too (the broker's offsets
 * do not say whose they are; each dead letter's `dlq-consumer-group` header does).
 */
export class PipeMonitor {
  private readonly bounds: PipeBounds;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private startedAt: number;
  private admin?: Admin;
  private adminConnected = false;
  private running = false;
  private loop?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private wake?: () => void;

  private outbox?: OutboxSample;
  private outboxAt?: number;
  private outboxFailure?: Failure;
  private offsets?: Offsets;
  private offsetsAt?: number;
  private offsetsFailure?: Failure;
  /** Per consumed topic: the first sample of the current run of samples above `lagMax`. */
  private readonly lagAboveSince = new Map<string, number>();
  /**
   * Per consumed topic: the group's position (summed over partitions) and since when it has not
   * moved while messages wait. A group that stopped consuming (a consumer that crashed for good)
   * shows here long before a quiet topic piles up `lagMax` messages.
   */
  private readonly stalled = new Map<string, { position: number; since?: number }>();
  /**
   * Per DLQ twin: log-end offsets (summed over partitions) by sample time, back to the newest
   * sample at or before the window's start — the baseline what the twin gained is measured from.
   */
  private readonly dlqEnds = new Map<string, { at: number; end: number }[]>();

  constructor(private readonly options: PipeMonitorOptions) {
    this.bounds = {
      outboxMaxAgeMs: options.outboxMaxAgeMs ?? DEFAULT_PIPE_BOUNDS.outboxMaxAgeMs,
      lagMax: options.lagMax ?? DEFAULT_PIPE_BOUNDS.lagMax,
      lagMaxForMs: options.lagMaxForMs ?? DEFAULT_PIPE_BOUNDS.lagMaxForMs,
      dlqMaxNew: options.dlqMaxNew ?? DEFAULT_PIPE_BOUNDS.dlqMaxNew,
      dlqWindowMs: options.dlqWindowMs ?? DEFAULT_PIPE_BOUNDS.dlqWindowMs,
    };
    this.intervalMs = options.sampleIntervalMs ?? DEFAULT_PIPE_SAMPLE_INTERVAL_MS;
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
  }

  /** Samples now, then every `sampleIntervalMs` (a sample never overlaps the previous one). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.startedAt = this.now();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.wake?.();
    // Fails an admin request still waiting on an absent broker, so shutdown does not wait for it.
    if (this.adminConnected) await this.admin?.disconnect();
    this.adminConnected = false;
    await this.loop;
  }

  /** Takes one sample of the outbox and of the group's offsets, in parallel. */
  async sample(): Promise<void> {
    const consumption = this.options.consumption();
    await Promise.all([this.sampleOutbox(), consumption ? this.sampleOffsets(consumption) : undefined]);
  }

  /** Each part judged from the last samples against the bounds, at this moment. */
  conditions(): PipeCondition[] {
    const now = this.now();
    return [this.judgeOutbox(now), this.judgeLag(now), this.judgeDlq(now)];
  }

  private async run(): Promise<void> {
    while (this.running) {
      await this.sample();
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, this.intervalMs);
      });
    }
  }

  private async sampleOutbox(): Promise<void> {
    try {
      // count(*) is a bigint, which pg hands over as a string.
      const rows =
        await this.options.dataSource.query<{ pending: string; oldest: number; parked: string }[]>(
          OUTBOX_SQL,
        );
      const sample: OutboxSample = {
        pendingRows: Number(rows[0]?.pending ?? 0),
        oldestPendingSeconds: Number(rows[0]?.oldest ?? 0),
        parkedRows: Number(rows[0]?.parked ?? 0),
      };
      this.outbox = sample;
      this.outboxAt = this.now();
      this.recovered('outbox', this.outboxFailure);
      this.outboxFailure = undefined;
      outboxPendingRows.set(sample.pendingRows);
      outboxOldestPendingSeconds.set(sample.oldestPendingSeconds);
    } catch (err) {
      this.outboxFailure = this.failed('outbox', this.outboxFailure, err);
    }
  }

  private async sampleOffsets(consumption: Consumption): Promise<void> {
    try {
      const admin = await this.connectedAdmin();
      const { groupId, topics } = consumption;
      const twins = topics.map((t) => dlqTopic(t));
      const [committed, logs] = await Promise.all([
        admin.fetchOffsets({ groupId, topics: [...topics] }),
        Promise.all(
          [...topics, ...twins].map(async (topic) => [topic, await admin.fetchTopicOffsets(topic)] as const),
        ),
      ]);
      const at = this.now();
      const byTopic = new Map(logs);
      const lag = new Map<string, number>();
      for (const { topic, partitions } of committed) {
        let behind = 0;
        let position = 0;
        for (const log of byTopic.get(topic) ?? []) {
          const offset = Number(partitions.find((p) => p.partition === log.partition)?.offset ?? -1);
          // No commit yet: the group starts from the log's start (EventConsumer reads fromBeginning).
          const from = offset >= 0 ? offset : Number(log.low);
          behind += Math.max(0, Number(log.high) - from);
          position += from;
        }
        lag.set(topic, behind);
        consumerLagMessages.set({ group: groupId, topic }, behind);
        if (behind <= this.bounds.lagMax) this.lagAboveSince.delete(topic);
        else if (!this.lagAboveSince.has(topic)) this.lagAboveSince.set(topic, at);
        const last = this.stalled.get(topic);
        if (behind === 0 || !last || last.position !== position) this.stalled.set(topic, { position });
        else last.since ??= at;
      }
      const held = new Map<string, number>();
      for (const twin of twins) {
        const log = byTopic.get(twin) ?? [];
        const end = log.reduce((sum, p) => sum + Number(p.high), 0);
        held.set(
          twin,
          log.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0),
        );
        dlqMessages.set({ topic: twin }, held.get(twin) ?? 0);
        this.recordDlqEnd(twin, at, end);
      }
      this.offsets = { consumption, lag, held };
      this.offsetsAt = at;
      this.recovered('offsets', this.offsetsFailure);
      this.offsetsFailure = undefined;
    } catch (err) {
      this.offsetsFailure = this.failed('offsets', this.offsetsFailure, err);
    }
  }

  private recordDlqEnd(twin: string, at: number, end: number): void {
    const ends = this.dlqEnds.get(twin) ?? [];
    // A log end that went back means the topic was recreated: measure from here on.
    if (ends.length > 0 && end < (ends[ends.length - 1] as { end: number }).end) ends.length = 0;
    ends.push({ at, end });
    const windowStart = at - this.bounds.dlqWindowMs;
    while (ends.length > 1 && (ends[1] as { at: number }).at <= windowStart) ends.shift();
    this.dlqEnds.set(twin, ends);
  }

  private async connectedAdmin(): Promise<Admin> {
    // Few retries: a sample that cannot reach the broker fails and the next one tries again.
    this.admin ??= this.options.kafka.admin({ retry: { retries: 2 } });
    if (!this.adminConnected) {
      await this.admin.connect();
      this.adminConnected = true;
    }
    return this.admin;
  }

  private judgeOutbox(now: number): PipeCondition {
    const { outboxMaxAgeMs } = this.bounds;
    const stale = this.staleness(now, this.outboxAt, this.outboxFailure, outboxMaxAgeMs);
    if (stale) return { key: 'outbox', healthy: false, message: `outbox ${stale}`, details: {} };
    const sample = this.outbox;
    if (!sample) return { key: 'outbox', healthy: true, details: { sampled: false } };
    const details: Record<string, unknown> = {
      pendingRows: sample.pendingRows,
      oldestPendingSeconds: Math.round(sample.oldestPendingSeconds * 10) / 10,
    };
    const problems: string[] = [];
    if (sample.oldestPendingSeconds * 1000 > outboxMaxAgeMs) {
      problems.push(
        `oldest pending outbox row is ${Math.round(sample.oldestPendingSeconds)} s old ` +
          `(bound ${seconds(outboxMaxAgeMs)} s); ${sample.pendingRows} rows wait`,
      );
    }
    // Any parked row degrades readiness (see OutboxSample.parkedRows).
    if (sample.parkedRows !== undefined) {
      details.parkedRows = sample.parkedRows;
      if (sample.parkedRows > 0)
        problems.push(`${sample.parkedRows} outbox rows are parked (never publishable)`);
    }
    return problems.length === 0
      ? { key: 'outbox', healthy: true, details }
      : { key: 'outbox', healthy: false, message: problems.join('; '), details };
  }

  private judgeLag(now: number): PipeCondition {
    const { lagMax, lagMaxForMs } = this.bounds;
    const consumption = this.options.consumption();
    if (!consumption) return { key: 'consumer_lag', healthy: true, details: { group: null } };
    const stale = this.staleness(now, this.offsetsAt, this.offsetsFailure, lagMaxForMs);
    if (stale) {
      return { key: 'consumer_lag', healthy: false, message: `Kafka offsets ${stale}`, details: {} };
    }
    const offsets = this.offsets;
    if (!offsets)
      return { key: 'consumer_lag', healthy: true, details: { group: consumption.groupId, sampled: false } };
    const problems: string[] = [];
    const group = offsets.consumption.groupId;
    for (const [topic, lag] of offsets.lag) {
      const since = this.lagAboveSince.get(topic);
      const stuckSince = this.stalled.get(topic)?.since;
      if (since !== undefined && now - since >= lagMaxForMs) {
        problems.push(
          `${group} lags ${topic} by ${lag} messages, above ${lagMax} for ` +
            `${seconds(now - since)} s (bound ${seconds(lagMaxForMs)} s)`,
        );
      } else if (stuckSince !== undefined && now - stuckSince >= lagMaxForMs) {
        problems.push(
          `${group} has not moved on ${topic} for ${seconds(now - stuckSince)} s while ${lag} messages ` +
            `wait (bound ${seconds(lagMaxForMs)} s)`,
        );
      }
    }
    const details = { group: offsets.consumption.groupId, lag: Object.fromEntries(offsets.lag) };
    return problems.length === 0
      ? { key: 'consumer_lag', healthy: true, details }
      : { key: 'consumer_lag', healthy: false, message: problems.join('; '), details };
  }

  private judgeDlq(now: number): PipeCondition {
    const { dlqMaxNew, dlqWindowMs } = this.bounds;
    const offsets = this.offsets;
    if (!offsets) return { key: 'dlq', healthy: true, details: { sampled: false } };
    const windowStart = now - dlqWindowMs;
    const gained: Record<string, number> = {};
    const problems: string[] = [];
    for (const [twin, ends] of this.dlqEnds) {
      const last = ends[ends.length - 1];
      // The newest sample at or before the window's start; the oldest one while the monitor is younger.
      const base = [...ends].reverse().find((e) => e.at <= windowStart) ?? ends[0];
      if (!last || !base) continue;
      gained[twin] = last.end - base.end;
      if (last.end - base.end > dlqMaxNew) {
        problems.push(
          `${twin} gained ${last.end - base.end} dead letters within ${seconds(dlqWindowMs)} s ` +
            `(bound ${dlqMaxNew}); each one's dlq-error and dlq-consumer-group headers say why and whose`,
        );
      }
    }
    const details = { gained, held: Object.fromEntries(offsets.held), windowSeconds: seconds(dlqWindowMs) };
    return problems.length === 0
      ? { key: 'dlq', healthy: true, details }
      : { key: 'dlq', healthy: false, message: problems.join('; '), details };
  }

  /**
   * Samples that keep failing prove nothing about the pipe, so they count against it once no
   * sample succeeded for as long as the part's bound allows it to be behind (and at least three
   * sample intervals: one failed request is not an outage).
   */
  private staleness(
    now: number,
    lastOk: number | undefined,
    failure: Failure | undefined,
    boundMs: number,
  ): string | undefined {
    if (!failure) return undefined;
    const since = lastOk ?? this.startedAt;
    if (now - since <= Math.max(boundMs, 3 * this.intervalMs)) return undefined;
    return `not sampled for ${seconds(now - since)} s: ${failure.error}`;
  }

  // Logged when a part starts failing and when it recovers, not at every sample in between.
  private failed(part: string, previous: Failure | undefined, err: unknown): Failure {
    const error = err instanceof Error ? err.message : String(err);
    if (!previous) this.options.logger.warn({ err, part }, 'pipe monitor: sample failed');
    return { error, since: previous?.since ?? this.now() };
  }

  private recovered(part: string, previous: Failure | undefined): void {
    if (previous) this.options.logger.info({ part }, 'pipe monitor: sampling again');
  }
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}
