import { Counter, register, type Metric } from 'prom-client';

// prom-client's default registry is what /metrics serves; reuse on re-import (specs load modules
// more than once) instead of throwing "already registered".
function metric<T extends Metric>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

export const reminderJobs = metric(
  'duemap_reminder_jobs_total',
  () =>
    new Counter({
      name: 'duemap_reminder_jobs_total',
      help: 'Reminder jobs handled by the worker, by outcome (sent, cancelled, final, stale, in_flight, unconfirmed, superseded, error)',
      labelNames: ['outcome'],
    }),
);

export const reminderJobsRepaired = metric(
  'duemap_reminder_jobs_repaired_total',
  () =>
    new Counter({
      name: 'duemap_reminder_jobs_repaired_total',
      help: 'Jobs the reconciler had to (re-)add for scheduled reminders',
    }),
);

export const reminderQueueLosses = metric(
  'duemap_reminder_queue_losses_total',
  () =>
    new Counter({
      name: 'duemap_reminder_queue_losses_total',
      help: "Times the reconciler found Redis had lost the reminders' queue (its sentinel key gone) and put every job back",
    }),
);
