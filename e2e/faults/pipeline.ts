import { randomUUID } from 'node:crypto';
import { ALL_TOPICS_WITH_DLQ } from '@duemap/events';
import Redis from 'ioredis';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Pool } from 'pg';
import { REMINDER_QUEUE } from '../../services/notifications/src/reminders/reminder.queue';
import { BACKEND_SERVICES, type BackendService, type Stack } from '../stack';

/** Our own sessions: a fault that drops the services' connections leaves these alone. */
export const OBSERVER_APPLICATION_NAME = 'duemap-fault-suite';

const DLQ_TOPICS = ALL_TOPICS_WITH_DLQ.filter((t) => t.endsWith('.dlq'));

/** topic -> partition -> offset */
export type Offsets = Map<string, Map<number, bigint>>;

export interface DeadLetter {
  topic: string;
  eventId: string;
  error: string;
  group: string;
}

export interface ProbeTarget {
  customerId: string;
  invoiceId: string;
}

/**
 * What the suite reads of the running stack, from the outside: each service's outbox, the
 * consumer groups' committed offsets against the topics' ends, the .dlq topics, the projections a
 * probe payment must reach, and the reminder jobs in Redis. Its database sessions carry their own
 * application_name, so dropping "every service connection" does not drop the observer.
 */
export class Pipeline {
  readonly pools: Record<BackendService, Pool>;
  private readonly kafka: Kafka;
  private admin?: Admin;
  private readonly redis: Redis;
  private dlqSeen: DeadLetter[] = [];
  private dlqCount = 0n;

  constructor(private readonly stack: Stack) {
    this.pools = Object.fromEntries(
      BACKEND_SERVICES.map((s) => {
        const pool = new Pool({
          connectionString: stack.databases[s].url,
          application_name: OBSERVER_APPLICATION_NAME,
          max: 2,
        });
        pool.on('error', () => undefined);
        return [s, pool];
      }),
    ) as Record<BackendService, Pool>;
    this.kafka = new Kafka({
      clientId: OBSERVER_APPLICATION_NAME,
      brokers: stack.kafka.brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3000,
      requestTimeout: 5000,
      retry: { retries: 1 },
    });
    this.redis = new Redis(stack.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: false });
    this.redis.on('error', () => undefined);
  }

  async close(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
    this.redis.disconnect();
    await Promise.all(Object.values(this.pools).map((p) => p.end()));
  }

  async query<T>(service: BackendService, sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pools[service].query(sql, params)).rows as T[];
  }

  /** Pending outbox rows per service and the age of the oldest, in ms (0 when empty). */
  async outboxes(): Promise<Record<BackendService, { rows: number; oldestCreatedAt: number | null }>> {
    const entries = await Promise.all(
      BACKEND_SERVICES.map(async (s) => {
        const [row] = await this.query<{ rows: string; oldest: Date | null }>(
          s,
          `SELECT count(*) AS rows, min(created_at) AS oldest FROM outbox`,
        );
        return [
          s,
          { rows: Number(row?.rows ?? 0), oldestCreatedAt: row?.oldest?.getTime() ?? null },
        ] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<
      BackendService,
      { rows: number; oldestCreatedAt: number | null }
    >;
  }

  private async kafkaAdmin(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    return this.admin;
  }

  /** Runs an admin call; a failed one drops the admin so the next call connects afresh. */
  private async withAdmin<T>(call: (admin: Admin) => Promise<T>): Promise<T> {
    try {
      return await call(await this.kafkaAdmin());
    } catch (err) {
      const admin = this.admin;
      this.admin = undefined;
      await admin?.disconnect().catch(() => undefined);
      throw err;
    }
  }

  /** The end (high watermark) of every partition of the given topics. */
  async endOffsets(topics: readonly string[] = ALL_TOPICS_WITH_DLQ): Promise<Offsets> {
    return this.withAdmin(async (admin) => {
      const ends: Offsets = new Map();
      for (const topic of topics) {
        const partitions = await admin.fetchTopicOffsets(topic);
        ends.set(topic, new Map(partitions.map((p) => [p.partition, BigInt(p.high)])));
      }
      return ends;
    });
  }

  /** Each service group's committed offsets, for the topics it has committed on. */
  async committed(): Promise<Record<BackendService, Offsets>> {
    return this.withAdmin(async (admin) => {
      const result = {} as Record<BackendService, Offsets>;
      for (const group of BACKEND_SERVICES) {
        const topics = await admin.fetchOffsets({ groupId: group });
        result[group] = new Map(
          topics.map((t) => [
            t.topic,
            new Map(t.partitions.map((p) => [p.partition, BigInt(p.offset === '-1' ? 0 : p.offset)])),
          ]),
        );
      }
      return result;
    });
  }

  /**
   * Messages each group has not consumed of what `ends` holds (only the topics it consumes): 0
   * everywhere means every event in Kafka at the time `ends` was read has been applied.
   */
  async behind(ends: Offsets): Promise<Partial<Record<BackendService, number>>> {
    const committed = await this.committed();
    const behind: Partial<Record<BackendService, number>> = {};
    for (const group of BACKEND_SERVICES) {
      let missing = 0n;
      for (const [topic, partitions] of committed[group]) {
        for (const [partition, end] of ends.get(topic) ?? new Map<number, bigint>()) {
          const at = partitions.get(partition) ?? 0n;
          if (at < end) missing += end - at;
        }
      }
      if (missing > 0n) behind[group] = Number(missing);
    }
    return behind;
  }

  /** Every message on a .dlq topic so far, read afresh only when their count grew. */
  async deadLetters(): Promise<DeadLetter[]> {
    const ends = await this.endOffsets(DLQ_TOPICS);
    let total = 0n;
    for (const partitions of ends.values()) for (const end of partitions.values()) total += end;
    if (total === this.dlqCount) return this.dlqSeen;
    const topics = [...ends].filter(([, p]) => [...p.values()].some((end) => end > 0n)).map(([t]) => t);
    const consumer = this.kafka.consumer({ groupId: `fault-suite-dlq-${randomUUID()}` });
    const letters: DeadLetter[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topics, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`read ${letters.length} of ${total} .dlq messages in 30 s`)),
          30_000,
        );
        void consumer.run({
          eachMessage: async ({ topic, message }) => {
            const header = (name: string): string => message.headers?.[name]?.toString() ?? '';
            letters.push({
              topic,
              eventId: header('event-id'),
              error: header('dlq-error').slice(0, 300),
              group: header('dlq-consumer-group'),
            });
            if (BigInt(letters.length) >= total) {
              clearTimeout(timer);
              resolve();
            }
            return Promise.resolve();
          },
        });
      });
    } finally {
      await consumer.disconnect();
    }
    this.dlqSeen = letters;
    this.dlqCount = total;
    return letters;
  }

  /** What is still missing for a probe payment's effects to be visible everywhere ([] = all there). */
  async probeMissing(probe: ProbeTarget): Promise<string[]> {
    const [[invoice], [customer], [pin], [reminders]] = await Promise.all([
      this.query<{ status: string }>('invoicing', `SELECT status FROM invoices WHERE id = $1`, [
        probe.invoiceId,
      ]),
      this.query<{ ar_status: string; balances: { outstanding: string }[] }>(
        'customers',
        `SELECT ar_status, balances FROM customers WHERE id = $1`,
        [probe.customerId],
      ),
      this.query<{ status: string }>('geocoding', `SELECT status FROM customer_pins WHERE customer_id = $1`, [
        probe.customerId,
      ]),
      this.query<{ scheduled: string; sent: string; total: string }>(
        'notifications',
        `SELECT count(*) FILTER (WHERE status = 'scheduled') AS scheduled,
                count(*) FILTER (WHERE status = 'sent') AS sent, count(*) AS total
           FROM reminders WHERE invoice_id = $1`,
        [probe.invoiceId],
      ),
    ]);
    const missing: string[] = [];
    if (invoice?.status !== 'paid')
      missing.push(`probe invoice ${invoice?.status ?? 'missing'} in invoicing`);
    const owes = customer?.balances.some((b) => BigInt(b.outstanding) !== 0n) ?? true;
    if (customer?.ar_status !== 'paid' || owes) {
      missing.push(
        `probe customer ${customer?.ar_status ?? 'missing'}${owes ? ' with a balance' : ''} in customers`,
      );
    }
    if (pin?.status !== 'paid') missing.push(`probe pin ${pin?.status ?? 'missing'} on the map`);
    if (Number(reminders?.scheduled ?? 0) > 0 || Number(reminders?.total ?? 0) === 0) {
      missing.push(
        `probe reminders still scheduled: ${reminders?.scheduled ?? 0} of ${reminders?.total ?? 0}`,
      );
    }
    return missing;
  }

  /**
   * Scheduled reminders due within `withinMs` whose BullMQ job is not in Redis: reminders that
   * would not go out on time.
   */
  async remindersWithoutJob(withinMs: number): Promise<string[]> {
    const due = await this.query<{ id: string }>(
      'notifications',
      `SELECT id FROM reminders WHERE status = 'scheduled' AND scheduled_for < now() + $1 * interval '1 millisecond'`,
      [withinMs],
    );
    if (due.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const { id } of due) pipeline.exists(`${this.stack.queuePrefix}:${REMINDER_QUEUE}:${id}`);
    const exists = (await pipeline.exec()) ?? [];
    return due.filter((_, i) => exists[i]?.[1] !== 1).map((r) => r.id);
  }

  /**
   * Reminders sent for an invoice that invoicing had fully paid more than `graceMs` before: what
   * notifications must never do once the payment could have reached it.
   */
  async remindersSentAfterPayment(graceMs: number): Promise<{ reminderId: string; invoiceId: string }[]> {
    const sent = await this.query<{ id: string; invoice_id: string; sent_at: Date }>(
      'notifications',
      `SELECT id, invoice_id, sent_at FROM reminders WHERE status = 'sent'`,
    );
    if (sent.length === 0) return [];
    const paid = await this.query<{ id: string; paid_at: Date }>(
      'invoicing',
      `SELECT i.id::text AS id, max(ip.applied_at) AS paid_at
         FROM invoices i JOIN invoice_payments ip ON ip.invoice_id = i.id
        WHERE i.status = 'paid' AND i.id::text = ANY($1) GROUP BY i.id`,
      [sent.map((s) => s.invoice_id.toLowerCase())],
    );
    const paidAt = new Map(paid.map((p) => [p.id, p.paid_at.getTime()]));
    return sent
      .filter((s) => {
        const at = paidAt.get(s.invoice_id.toLowerCase());
        return at !== undefined && s.sent_at.getTime() > at + graceMs;
      })
      .map((s) => ({ reminderId: s.id, invoiceId: s.invoice_id }));
  }

  /** Empties the stack's Redis (its own redis-server: nothing else lives there). */
  async flushRedis(): Promise<void> {
    await this.redis.flushall();
  }
}
