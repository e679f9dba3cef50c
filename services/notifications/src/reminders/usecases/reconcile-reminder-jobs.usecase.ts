import { Inject, Injectable } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { InjectConfig } from '@duemap/config';
import type { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import type { NotificationsConfig } from '../../config';
import { ReminderJobs, type EnsureOutcome } from '../reminder-jobs';

/** A reminder whose time passed this long ago without being sent gets its job checked anew. */
export const OVERDUE_JOB_GRACE_MS = 5 * 60_000;
const PAGE = 500;

export type ReconcileReport = Record<EnsureOutcome, number>;

interface Row {
  id: string;
  scheduled_for: Date;
  /** The page's ordering column (scheduled_for or claimed_at), for the next page's start. */
  at: Date;
}

/**
 * Repairs what Redis may have missed. A job is added after its reminder's transaction committed,
 * so a crash (or a Redis outage) in between leaves a scheduled reminder without a job: those are
 * the rows whose job_enqueued_for differs from scheduled_for. Rows long past their time and still
 * scheduled are checked too (a job that failed for good), and claims that expired (their worker
 * died before recording; see SendReminderUseCase). Every matching row is seen, page by page.
 *
 * When Redis lost its data (`forgetEnqueued`), every scheduled reminder needs its job again, and
 * those due soon cannot wait for the pass to reach them: `ensureDueBefore` puts back the jobs of
 * every reminder due before a time, overdue ones included, whatever their mark says.
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
    // be gone too (Redis lost it, or it failed as stalled). The worker settles it.
    const claimExpiredBefore = new Date(now - 2 * this.config.REMINDER_SEND_TIMEOUT);
    // Three index-backed queries (see the migrations' partial indexes), rather than one OR that
    // would scan every scheduled reminder each interval.
    await this.ensurePages(
      report,
      'scheduled_for',
      `status = 'scheduled' AND job_enqueued_for IS DISTINCT FROM scheduled_for`,
      [],
    );
    await this.ensurePages(report, 'scheduled_for', `status = 'scheduled' AND scheduled_for < $1`, [
      overdueBefore.toISOString(),
    ]);
    await this.ensurePages(report, 'claimed_at', `status = 'sending' AND claimed_at < $1`, [
      claimExpiredBefore.toISOString(),
    ]);
    return report;
  }

  /** Puts back the job of every scheduled reminder due before `until` (overdue ones included). */
  async ensureDueBefore(until: Date): Promise<ReconcileReport> {
    const report: ReconcileReport = { present: 0, added: 0, busy: 0 };
    await this.ensurePages(report, 'scheduled_for', `status = 'scheduled' AND scheduled_for < $1`, [
      until.toISOString(),
    ]);
    return report;
  }

  /**
   * Redis lost its data: no scheduled reminder's job can be taken as there any more. Clearing the
   * marks makes the next passes add them all, soonest first. Returns how many were marked.
   */
  async forgetEnqueued(): Promise<number> {
    const [, affected]: [unknown, number] = await this.dataSource.query(
      `UPDATE reminders SET job_enqueued_for = NULL
        WHERE status = 'scheduled' AND job_enqueued_for IS NOT NULL`,
    );
    return affected;
  }

  /**
   * Ensures the jobs of every reminder matching `where`, a page at a time in `order` (then id):
   * each page starts after the last row of the one before, so rows a page leaves as they were
   * (busy, or held by another transaction) are not read again and the walk ends.
   */
  private async ensurePages(
    report: ReconcileReport,
    order: 'scheduled_for' | 'claimed_at',
    where: string,
    params: unknown[],
  ): Promise<void> {
    let after: Row | undefined;
    for (;;) {
      const n = params.length;
      const rows = await this.dataSource.query<Row[]>(
        `SELECT id, scheduled_for, ${order} AS at FROM reminders
          WHERE ${where} ${after ? `AND (${order}, id) > ($${n + 1}, $${n + 2})` : ''}
          ORDER BY ${order}, id LIMIT ${PAGE}`,
        after ? [...params, after.at.toISOString(), after.id] : params,
      );
      if (rows.length === 0) return;
      const outcomes = await this.jobs.ensureAll(
        rows.map((r) => ({ id: r.id, scheduledFor: r.scheduled_for })),
      );
      for (const outcome of outcomes) report[outcome] += 1;
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1];
    }
  }
}
