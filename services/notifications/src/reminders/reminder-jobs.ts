import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { InjectConfig } from '@duemap/config';
import type { JobsOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { SERVICE_LOGGER } from '../common/logger';
import type { NotificationsConfig } from '../config';
import {
  REMINDER_QUEUE,
  ReminderJobName,
  type ReminderQueue,
  type SendReminderPayload,
} from './reminder.queue';

/** A reminder that should have a job in Redis firing at `scheduledFor`. */
export interface JobTarget {
  readonly id: string;
  readonly scheduledFor: Date;
}

/** What a committed plan asks of Redis. */
export interface JobChanges {
  /** New reminders: add their job. */
  readonly add: readonly JobTarget[];
  /** Re-anchored reminders: their job must fire at the new time. */
  readonly move: readonly JobTarget[];
  /** Cancelled reminders: their job can go. */
  readonly remove: readonly string[];
}

/**
 * The job changes of several plans (one transaction's), netted per reminder so that Redis sees
 * only the end state: a reminder created and then moved in the same transaction gets one job at
 * its last time; one created and then cancelled gets none; otherwise the last change counts.
 */
export class JobChangeSet {
  private readonly byId = new Map<string, JobTarget | 'remove'>();
  private readonly added = new Set<string>();

  add(target: JobTarget): void {
    this.byId.set(target.id, target);
    this.added.add(target.id);
  }

  /** A reminder still to be added keeps being added, at the new time. */
  move(target: JobTarget): void {
    this.byId.set(target.id, target);
  }

  remove(id: string): void {
    // A reminder created in this transaction has no job yet: nothing to add, nothing to remove.
    if (this.added.delete(id)) this.byId.delete(id);
    else this.byId.set(id, 'remove');
  }

  get size(): number {
    return this.byId.size;
  }

  changes(): JobChanges {
    const changes = { add: [] as JobTarget[], move: [] as JobTarget[], remove: [] as string[] };
    for (const [id, change] of this.byId) {
      if (change === 'remove') changes.remove.push(id);
      else if (this.added.has(id)) changes.add.push(change);
      else changes.move.push(change);
    }
    return changes;
  }
}

export type EnsureOutcome = 'present' | 'added' | 'busy';

/** What a look-up found of a reminder's job: right as it is, gone (or removed to be replaced), or in a worker's hands. */
type Found = 'present' | 'absent' | 'busy';

/**
 * The reminders' BullMQ jobs. Job id = reminder id, so adding a job that exists is a no-op and
 * anything here can be repeated; the rows in Postgres are the truth, Redis only the alarm clock.
 * After a job is known to be in Redis its time is written to reminders.job_enqueued_for, which
 * is how the reconciler finds reminders whose job was never added.
 *
 * Work on many jobs is issued at once, not job after job: ioredis writes the commands back to back
 * on one connection, so a batch waits for a round trip per step rather than one per job (BullMQ
 * has a bulk add, a pipeline, but no bulk remove or look-up).
 */
@Injectable()
export class ReminderJobs {
  constructor(
    @InjectQueue(REMINDER_QUEUE) private readonly queue: ReminderQueue,
    @Inject(getDataSourceToken()) private readonly dataSource: DataSource,
    @InjectConfig() private readonly config: NotificationsConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  /**
   * A committed transaction's job changes: removals and the look-ups of moved jobs together,
   * then one bulk add (new reminders and moved ones whose job had to be replaced) and one
   * statement recording them as enqueued.
   */
  async apply(changes: JobChanges): Promise<void> {
    const [, found] = await Promise.all([
      Promise.all(changes.remove.map((id) => this.remove(id))),
      Promise.all(changes.move.map((target) => this.inspect(target))),
    ]);
    await this.enqueue(
      [...changes.add, ...changes.move.filter((_, i) => found[i] === 'absent')],
      changes.move.filter((_, i) => found[i] === 'present'),
    );
  }

  /** Adds jobs (idempotent per reminder id) and records that they are in Redis. */
  async add(targets: readonly JobTarget[]): Promise<void> {
    await this.enqueue(targets, []);
  }

  /**
   * Makes sure each reminder's job fires at its time: adds it when missing, replaces one that was
   * added for another time (or that failed for good). A job the worker is processing right now is
   * left alone ('busy'): the worker re-delays a stale one itself, and the reconciler looks again.
   */
  async ensureAll(targets: readonly JobTarget[]): Promise<EnsureOutcome[]> {
    const found = await Promise.all(targets.map((target) => this.inspect(target)));
    await this.enqueue(
      targets.filter((_, i) => found[i] === 'absent'),
      targets.filter((_, i) => found[i] === 'present'),
    );
    return found.map((f) => (f === 'absent' ? 'added' : f));
  }

  /** Removes a job unless a worker holds it (the worker then finds the row final and stops). */
  async remove(reminderId: string): Promise<void> {
    await this.queue.remove(reminderId);
  }

  /** Whether the reminder's job is there for its time; one for another time is removed. */
  private async inspect(target: JobTarget): Promise<Found> {
    const job = await this.queue.getJob(target.id);
    if (job === undefined) return 'absent';
    const state = await job.getState();
    if (state === 'active') return 'busy';
    const current = job.data.scheduledFor === target.scheduledFor.toISOString();
    if (current && state !== 'failed' && state !== 'completed' && state !== 'unknown') return 'present';
    // 0 when the job got locked by a worker in the meantime: try again next time.
    if ((await this.queue.remove(target.id)) === 0 && (await this.queue.getJob(target.id)) !== undefined) {
      return 'busy';
    }
    return 'absent';
  }

  /** Adds the jobs of `added` in one bulk, then records them and `present` as enqueued. */
  private async enqueue(added: readonly JobTarget[], present: readonly JobTarget[]): Promise<void> {
    if (added.length > 0) {
      await this.queue.addBulk(
        added.map((t) => ({ name: ReminderJobName.Send, data: payloadOf(t), opts: this.jobOptions(t) })),
      );
    }
    if (added.length + present.length > 0) await this.markEnqueued([...added, ...present]);
  }

  private jobOptions(target: JobTarget): JobsOptions {
    return {
      jobId: target.id,
      delay: Math.max(0, target.scheduledFor.getTime() - this.clock.now().getTime()),
      attempts: this.config.REMINDER_SEND_ATTEMPTS,
      backoff: { type: 'exponential', delay: this.config.REMINDER_RETRY_DELAY },
      removeOnComplete: true,
      removeOnFail: { age: 7 * 24 * 3600 },
    };
  }

  /**
   * Records the jobs as in Redis, skipping reminders another transaction holds: that one is
   * changing the reminder (a plan, a cancellation, a send) or marking it too, and the reconciler
   * checks what stays unmarked. Waiting for them instead made two marks of overlapping reminders
   * (a commit's and the reconciler's) lock rows in opposite orders and deadlock.
   */
  private async markEnqueued(targets: readonly JobTarget[]): Promise<void> {
    await this.dataSource.query(
      // Found by primary key only and updated by the locked row's ctid: with conditions on status
      // or time in the look-up, a planner without statistics (a server without autovacuum after a
      // bulk load) picked the partial indexes of scheduled reminders and filtered thousands of rows.
      `WITH free AS (
         SELECT ctid AS tid, id, status, scheduled_for FROM reminders WHERE id = ANY($1::uuid[])
            FOR UPDATE SKIP LOCKED
       )
       UPDATE reminders r SET job_enqueued_for = t.at
         FROM free f JOIN unnest($1::uuid[], $2::timestamptz[]) AS t(id, at) ON t.id = f.id
        WHERE r.ctid = f.tid AND f.status = 'scheduled' AND f.scheduled_for = t.at`,
      [targets.map((t) => t.id), targets.map((t) => t.scheduledFor.toISOString())],
    );
    this.logger.debug({ reminders: targets.map((t) => t.id) }, 'reminder jobs in Redis');
  }
}

function payloadOf(target: JobTarget): SendReminderPayload {
  return { reminderId: target.id, scheduledFor: target.scheduledFor.toISOString() };
}
