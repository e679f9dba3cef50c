import {
  defineConfig,
  duration,
  enumOf,
  int,
  outboundShape,
  platformShape,
  port,
  str,
  url,
  type ConfigOf,
} from '@duemap/config';

export const notificationsConfig = defineConfig({
  ...platformShape,
  ...outboundShape,
  SERVICE_NAME: str({ default: 'notifications', pattern: /^[a-z][a-z0-9-]*$/ }),
  HTTP_PORT: port(3005),
  DATABASE_URL: url({
    protocols: ['postgres:', 'postgresql:'],
    default: 'postgres://postgres@127.0.0.1:5432/duemap_notifications',
  }),
  /** Prefix of every BullMQ key in Redis; tests use their own to stay apart on a shared Redis. */
  QUEUE_PREFIX: str({
    default: 'duemap',
    pattern: /^[A-Za-z0-9._-]+$/,
    hint: 'must contain only letters, digits, ".", "_" and "-"',
  }),
  /** How often scheduled reminders without their job in Redis get it (re-)added. */
  REMINDER_RECONCILE_INTERVAL: duration('60s', { min: 100 }),
  /**
   * How often the reconciler checks that Redis still holds its sentinel key: a FLUSHALL or an empty
   * failover replica loses every job without a reconnect, and the jobs are rebuilt at once.
   */
  REMINDER_REDIS_WATCH_INTERVAL: duration('2s', { min: 100 }),
  /** Reminders the worker sends at the same time (per process). */
  REMINDER_WORKER_CONCURRENCY: int({ min: 1, max: 100, default: 5 }),
  /** Tries per reminder before it is cancelled as delivery_failed (exponential backoff between). */
  REMINDER_SEND_ATTEMPTS: int({ min: 1, max: 20, default: 5 }),
  /** First retry delay of a failed send; doubles per attempt. */
  REMINDER_RETRY_DELAY: duration('30s', { min: 0 }),
  /**
   * Longest one delivery may take before it counts as failed. A claim older than twice this is
   * taken as an attempt that died before recording its outcome (see README, Sending).
   */
  REMINDER_SEND_TIMEOUT: duration('15s', { min: 100, max: 600_000 }),
  /**
   * When set, reminders are POSTed here as JSON (the webhook channel); otherwise they are logged.
   * Only public addresses unless OUTBOUND_ALLOW_PRIVATE / OUTBOUND_ALLOW_HOSTS say otherwise:
   * checked at boot and before each send.
   */
  REMINDER_WEBHOOK_URL: url({ protocols: ['http:', 'https:'], optional: true }),
  /**
   * When set, email reminders go out over SMTP: smtp://user:pass@host:587 (STARTTLS when offered)
   * or smtps://...:465. Unset: they go to REMINDER_WEBHOOK_URL if set, else to the log.
   */
  SMTP_URL: url({ protocols: ['smtp:', 'smtps:'], optional: true }),
  /** The From of reminder emails. */
  SMTP_FROM: str({ default: 'Duemap <no-reply@duemap.local>' }),
  /** SMS provider adapter; `record` (development) writes each message to sms_messages, sends nothing. */
  SMS_ADAPTER: enumOf(['record'], 'record'),
  /** Tries of one event to one webhook subscription before it goes to the dead-letter list. */
  WEBHOOK_DELIVERY_ATTEMPTS: int({ min: 1, max: 30, default: 8 }),
  /** First retry delay of a failed webhook delivery; doubles per attempt (capped at one day). */
  WEBHOOK_RETRY_DELAY: duration('10s', { min: 0 }),
  /** Longest a subscriber may take to answer one delivery. */
  WEBHOOK_TIMEOUT: duration('10s', { min: 100, max: 120_000 }),
  /** Subscriptions delivered to at the same time per process (each has one delivery in flight). */
  WEBHOOK_CONCURRENCY: int({ min: 1, max: 500, default: 32 }),
  /** How often due webhook deliveries are looked for when nothing woke the dispatcher. */
  WEBHOOK_POLL_INTERVAL: duration('1s', { min: 20 }),
});

export type NotificationsConfig = ConfigOf<typeof notificationsConfig>;
