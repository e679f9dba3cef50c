import { Counter, Gauge, Histogram, register, type Metric } from 'prom-client';

// Metrics live in prom-client's default registry, which /metrics serves. Reuse on re-import
// (tests load modules more than once) instead of throwing "already registered".
function metric<T extends Metric>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

export const outboxPublished = metric(
  'duemap_outbox_published_total',
  () =>
    new Counter({
      name: 'duemap_outbox_published_total',
      help: 'Outbox rows published to Kafka',
      labelNames: ['topic'],
    }),
);
export const outboxPublishErrors = metric(
  'duemap_outbox_publish_errors_total',
  () =>
    new Counter({
      name: 'duemap_outbox_publish_errors_total',
      help: 'Failed outbox publish attempts (batches)',
    }),
);
export const outboxParked = metric(
  'duemap_outbox_parked_total',
  () =>
    new Counter({
      name: 'duemap_outbox_parked_total',
      help: 'Outbox rows moved to outbox_parked because Kafka can never take them, by topic and reason',
      labelNames: ['topic', 'reason'],
    }),
);
export const outboxParkedRows = metric(
  'duemap_outbox_parked_rows',
  () =>
    new Gauge({
      name: 'duemap_outbox_parked_rows',
      help: 'Rows in outbox_parked (events that were never published): above 0 needs an operator',
    }),
);
export const producerRenewals = metric(
  'duemap_kafka_producer_renewals_total',
  () =>
    new Counter({
      name: 'duemap_kafka_producer_renewals_total',
      help: 'Kafka producers replaced by a new producer id after a failed send, by producer (relay, dead-letter)',
      labelNames: ['producer'],
    }),
);
export const outboxVacuums = metric(
  'duemap_outbox_vacuums_total',
  () =>
    new Counter({
      name: 'duemap_outbox_vacuums_total',
      help: 'VACUUMs of the outbox run by the relay, by outcome (done, failed)',
      labelNames: ['outcome'],
    }),
);
export const outboxVacuumSeconds = metric(
  'duemap_outbox_vacuum_seconds',
  () =>
    new Histogram({
      name: 'duemap_outbox_vacuum_seconds',
      help: "Duration of the relay's VACUUMs of the outbox (they run beside the claims)",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    }),
);
export const inboxPurged = metric(
  'duemap_inbox_purged_total',
  () =>
    new Counter({
      name: 'duemap_inbox_purged_total',
      help: 'Inbox rows deleted after their retention (INBOX_RETENTION)',
    }),
);
export const outboxLag = metric(
  'duemap_outbox_lag_seconds',
  () =>
    new Histogram({
      name: 'duemap_outbox_lag_seconds',
      help: 'Time from outbox insert to acknowledged publish',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }),
);
export const consumerMessages = metric(
  'duemap_consumer_messages_total',
  () =>
    new Counter({
      name: 'duemap_consumer_messages_total',
      help: 'Consumed messages by outcome (processed, duplicate, dead_lettered)',
      labelNames: ['group', 'topic', 'outcome'],
    }),
);
export const consumerRetries = metric(
  'duemap_consumer_retries_total',
  () =>
    new Counter({
      name: 'duemap_consumer_retries_total',
      help: 'Handler retries',
      labelNames: ['group', 'topic'],
    }),
);
export const consumerRestarts = metric(
  'duemap_consumer_restarts_total',
  () =>
    new Counter({
      name: 'duemap_consumer_restarts_total',
      help: 'Consumers replaced after a crash kafkajs does not restart after',
      labelNames: ['group'],
    }),
);
export const consumerHandleSeconds = metric(
  'duemap_consumer_handle_seconds',
  () =>
    new Histogram({
      name: 'duemap_consumer_handle_seconds',
      help: 'Handler time including its inbox transaction',
      labelNames: ['group', 'topic'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    }),
);
export const consumerTransactionMessages = metric(
  'duemap_consumer_transaction_messages',
  () =>
    new Histogram({
      name: 'duemap_consumer_transaction_messages',
      help: 'Messages applied per consumer transaction (the group commit size)',
      labelNames: ['group'],
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500],
    }),
);
