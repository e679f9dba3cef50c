import { Gauge, register, type Metric } from 'prom-client';

// In prom-client's default registry, which /metrics serves; reused when a module is loaded twice
// (tests), as in ../metrics.ts. Set by PipeMonitor after each sample, so a scrape costs no I/O.
function gauge<T extends Metric>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

export const outboxPendingRows = gauge(
  'duemap_outbox_pending_rows',
  () =>
    new Gauge({
      name: 'duemap_outbox_pending_rows',
      help: 'Outbox rows not yet published (at the last sample)',
    }),
);
export const outboxOldestPendingSeconds = gauge(
  'duemap_outbox_oldest_pending_seconds',
  () =>
    new Gauge({
      name: 'duemap_outbox_oldest_pending_seconds',
      help: 'Age of the oldest outbox row not yet published, 0 when none waits (at the last sample)',
    }),
);
export const consumerLagMessages = gauge(
  'duemap_consumer_lag_messages',
  () =>
    new Gauge({
      name: 'duemap_consumer_lag_messages',
      help: 'Messages of a topic not yet committed by the consumer group (sum over its partitions of log-end offset - committed offset)',
      labelNames: ['group', 'topic'],
    }),
);
export const dlqMessages = gauge(
  'duemap_dlq_messages',
  () =>
    new Gauge({
      name: 'duemap_dlq_messages',
      help: 'Messages held by the dead-letter twin of a topic this service consumes (log-end - log-start offset)',
      labelNames: ['topic'],
    }),
);
