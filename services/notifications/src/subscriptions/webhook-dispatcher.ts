import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { InjectConfig } from '@duemap/config';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { SERVICE_LOGGER } from '../common/logger';
import type { NotificationsConfig } from '../config';
import { checkSubscriberUrl, outboundPolicyOf } from './usecases/create-subscription.usecase';
import { sign, WebhookHeader } from './webhook-signature';

interface Claimed {
  id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  payload: unknown;
  attempts: number;
  url: string;
  secret: string;
}

type Outcome = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/** Longest wait between two tries of one delivery. */
const MAX_RETRY_DELAY_MS = 24 * 3600_000;

/**
 * Delivers queued webhook events, each subscription its own queue: at most one delivery per
 * subscription is in flight (across processes: a claimed delivery holds a lease of twice the
 * timeout), up to WEBHOOK_CONCURRENCY subscriptions at once, each request bounded by
 * WEBHOOK_TIMEOUT. So a subscriber that never answers holds only its own queue, for a timeout per
 * try, while the others go on. A failed try (no 2xx, no answer) is tried again after
 * WEBHOOK_RETRY_DELAY doubled per attempt; after WEBHOOK_DELIVERY_ATTEMPTS it is dead: in the
 * subscription's dead-letter list until redelivered. At least once: a process that dies mid-try
 * leaves a lease that expires, and the delivery is tried again.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly inFlight = new Map<string, Promise<void>>();
  private timer?: NodeJS.Timeout;
  private running = false;
  private stopped = true;
  private again = false;

  constructor(
    @Inject(getDataSourceToken()) private readonly dataSource: DataSource,
    @InjectConfig() private readonly config: NotificationsConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.stopped = false;
    this.wake();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Looks for due deliveries now (new events queued, a delivery finished, a redelivery). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = true;
    void this.tick()
      .catch((err: unknown) => this.logger.warn({ err }, 'webhook dispatch failed; trying again'))
      .finally(() => {
        this.running = false;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.wake();
        } else {
          this.timer = setTimeout(() => this.wake(), this.config.WEBHOOK_POLL_INTERVAL);
        }
      });
  }

  private async tick(): Promise<void> {
    const free = this.config.WEBHOOK_CONCURRENCY - this.inFlight.size;
    if (free <= 0) return;
    for (const delivery of await this.claim(free)) {
      const done = this.deliver(delivery)
        .catch((err: unknown) =>
          this.logger.error({ err, deliveryId: delivery.id }, 'webhook delivery not recorded'),
        )
        .finally(() => {
          this.inFlight.delete(delivery.subscription_id);
          this.wake();
        });
      this.inFlight.set(delivery.subscription_id, done);
    }
  }

  /**
   * The oldest due delivery of up to `limit` subscriptions that have none in flight, leased. A
   * lease that expired (its process died mid-try) makes its delivery due again.
   */
  private async claim(limit: number): Promise<Claimed[]> {
    const leaseMs = 2 * this.config.WEBHOOK_TIMEOUT + 5000;
    const [rows]: [Claimed[], number] = await this.dataSource.query(
      `WITH busy AS (
         SELECT DISTINCT subscription_id FROM webhook_deliveries
          WHERE status = 'delivering' AND lease_until > now()
       ), due AS (
         SELECT DISTINCT ON (subscription_id) id, subscription_id
           FROM webhook_deliveries
          WHERE status IN ('pending', 'delivering') AND next_attempt_at <= now()
            AND (status = 'pending' OR lease_until <= now())
            AND subscription_id NOT IN (SELECT subscription_id FROM busy)
            AND NOT (subscription_id = ANY ($2::uuid[]))
          ORDER BY subscription_id, next_attempt_at, created_at
       ), picked AS (
         SELECT d.id FROM webhook_deliveries d JOIN due USING (id)
          ORDER BY d.next_attempt_at LIMIT $1
            FOR UPDATE OF d SKIP LOCKED
       )
       UPDATE webhook_deliveries d
          SET status = 'delivering', attempts = d.attempts + 1,
              lease_until = now() + make_interval(secs => $3::double precision / 1000)
         FROM picked, webhook_subscriptions s
        WHERE d.id = picked.id AND s.id = d.subscription_id
        RETURNING d.id, d.subscription_id, d.event_id, d.event_type, d.payload, d.attempts, s.url, s.secret`,
      [limit, [...this.inFlight.keys()], leaseMs],
    );
    return rows;
  }

  private async deliver(delivery: Claimed): Promise<void> {
    const outcome = await this.post(delivery);
    if (outcome.ok) {
      await this.dataSource.query(
        `UPDATE webhook_deliveries
            SET status = 'delivered', delivered_at = now(), last_status = $2, last_error = NULL, lease_until = NULL
          WHERE id = $1`,
        [delivery.id, outcome.status],
      );
      return;
    }
    const dead = delivery.attempts >= this.config.WEBHOOK_DELIVERY_ATTEMPTS;
    const delayMs = Math.min(
      this.config.WEBHOOK_RETRY_DELAY * 2 ** (delivery.attempts - 1),
      MAX_RETRY_DELAY_MS,
    );
    await this.dataSource.query(
      `UPDATE webhook_deliveries
          SET status = $2, last_status = $3, last_error = $4, lease_until = NULL,
              next_attempt_at = now() + make_interval(secs => $5::double precision / 1000),
              dead_at = CASE WHEN $2 = 'dead' THEN now() END
        WHERE id = $1`,
      [delivery.id, dead ? 'dead' : 'pending', outcome.status, outcome.error.slice(0, 1000), delayMs],
    );
    this.logger[dead ? 'warn' : 'info'](
      {
        deliveryId: delivery.id,
        subscriptionId: delivery.subscription_id,
        attempts: delivery.attempts,
        ...outcome,
      },
      dead ? 'webhook delivery dead-lettered' : 'webhook delivery failed; retrying',
    );
  }

  /** One signed POST, the answer read to the end (bounded by the timeout). */
  private async post(delivery: Claimed): Promise<Outcome> {
    const body = JSON.stringify(delivery.payload);
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      await checkSubscriberUrl(delivery.url, outboundPolicyOf(this.config));
      const res = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Duemap-Webhooks/1',
          [WebhookHeader.Id]: delivery.event_id,
          'idempotency-key': delivery.event_id,
          [WebhookHeader.Timestamp]: String(timestamp),
          [WebhookHeader.Signature]: sign(delivery.secret, timestamp, body),
          [WebhookHeader.EventType]: delivery.event_type,
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.WEBHOOK_TIMEOUT),
      });
      const text = await res.text();
      if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
      return { ok: false, status: res.status, error: `answered ${res.status}: ${text.slice(0, 200)}` };
    } catch (err) {
      return { ok: false, status: null, error: err instanceof Error ? err.message : String(err) };
    }
  }
}
