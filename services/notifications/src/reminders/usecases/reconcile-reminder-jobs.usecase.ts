import { Inject, Injectable } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { InjectConfig } from '@duemap/config';
import { Clock } from '../../common/clock';
import type { NotificationsConfig } from '../../config';
import { ReminderJobs, type EnsureOutcome } from '../reminder-jobs';

/** A reminder whose time passed this long ago without being sent gets its job checked anew. */
export const OVERDUE_JOB_GRACE_MS = 5 * 60_000;
const BATCH = 500;

export type ReconcileReport = Record<EnsureOutcome, number>;

/**
 * Repairs what Redis may have missed: a job is added after its reminder's transaction committed,
 * so a crash (or a Redis outage) in between leaves a scheduled reminder without a job. Those are
 * the rows whose job_enqueued_for differs from scheduled_for; rows long past their time and still
 * scheduled are checked too (a job lost with Redis' data, or one that failed for good).
 */
@Injectable()
export class ReconcileReminderJobsUseCase {
  constructor(
    @Inject(getDataSourceToken()) private readonly dataSource: DataSource,
    private readonly jobs: ReminderJobs,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: NotificationsConfig,
  ) {}

  async execute(): Promise<ReconcileReport> {
    const report: ReconcileReport = { present: 0, added: 0, busy: 0 };
    const now = this.clock.now().getTime();
    const overdueBefore = new Date(now - OVERDUE_JOB_GRACE_MS);
    // A claim this old belongs to an attempt that died before recording its outcome; its job may
    // be gone too (Redis lost it, or it failed as stalled). The worker settles it (SendReminderUseCase).
    const claimExpiredBefore = new Date(now - 2 * this.config.REMINDER_SEND_TIMEOUT);
    // Two index-backed halves (see the migration's partial indexes), rather than one OR that
    // would scan every scheduled reminder each interval.
    const rows = await this.dataSource.query<{ id: string; scheduled_for: Date }[]>(
      `(SELECT id, scheduled_for FROM reminders
         WHERE status = 'scheduled' AND job_enqueued_for IS DISTINCT FROM scheduled_for
         ORDER BY scheduled_for LIMIT ${BATCH})
       UNION
       (SELECT id, scheduled_for FROM reminders
         WHERE status = 'scheduled' AND scheduled_for < $1
         ORDER BY scheduled_for LIMIT ${BATCH})
       UNION
       (SELECT id, scheduled_for FROM reminders
         WHERE status = 'sending' AND claimed_at < $2
         ORDER BY claimed_at LIMIT ${BATCH})`,
      [overdueBefore.toISOString(), claimExpiredBefore.toISOString()],
    );
    const outcomes = await this.jobs.ensureAll(
      rows.map((r) => ({ id: r.id, scheduledFor: r.scheduled_for })),
    );
    for (const outcome of outcomes) report[outcome] += 1;
    return report;
  }
}
