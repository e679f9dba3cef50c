import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Clock } from '../common/clock';
import type { NotificationsConfig } from '../config';
import { JobChangeSet, ReminderJobs } from './reminder-jobs';
import type { ReminderQueue } from './reminder.queue';

const NOW = new Date('2025-03-20T12:00:00Z');
const AT = new Date('2025-03-27T01:00:00Z');
const target = { id: 'a1b2c3d4-0000-4000-8000-000000000001', scheduledFor: AT };

function setup(job?: { data: { scheduledFor: string }; state: string }) {
  const queue = {
    addBulk: jest.fn().mockResolvedValue([]),
    getJob: jest
      .fn()
      .mockResolvedValue(
        job && { data: { reminderId: target.id, ...job.data }, getState: () => Promise.resolve(job.state) },
      ),
    remove: jest.fn().mockResolvedValue(1),
  };
  const dataSource = { query: jest.fn().mockResolvedValue([]) };
  const config = { REMINDER_SEND_ATTEMPTS: 5, REMINDER_RETRY_DELAY: 30_000 } as NotificationsConfig;
  const clock: Clock = { now: () => NOW };
  const jobs = new ReminderJobs(
    queue as unknown as ReminderQueue,
    dataSource as unknown as DataSource,
    config,
    { debug: jest.fn() } as unknown as Logger,
    clock,
  );
  return { jobs, queue, dataSource };
}

describe('ReminderJobs', () => {
  it('adds a delayed job per reminder, id = reminder id, then records it as enqueued', async () => {
    const { jobs, queue, dataSource } = setup();
    await jobs.add([target]);
    expect(queue.addBulk).toHaveBeenCalledWith([
      {
        name: 'send-reminder',
        data: { reminderId: target.id, scheduledFor: AT.toISOString() },
        opts: expect.objectContaining({
          jobId: target.id,
          delay: AT.getTime() - NOW.getTime(),
          attempts: 5,
          backoff: { type: 'exponential', delay: 30_000 },
          removeOnComplete: true,
        }) as unknown,
      },
    ]);
    expect(dataSource.query).toHaveBeenCalledWith(expect.stringContaining('SET job_enqueued_for'), [
      [target.id],
      [AT.toISOString()],
    ]);
  });

  it('never asks for a negative delay (a time already come fires at once)', async () => {
    const { jobs, queue } = setup();
    await jobs.add([{ ...target, scheduledFor: new Date('2025-01-01T00:00:00Z') }]);
    expect((queue.addBulk.mock.calls[0] as [{ opts: { delay: number } }[]])[0][0]!.opts.delay).toBe(0);
  });

  it('adds a missing job', async () => {
    const { jobs, queue } = setup();
    await expect(jobs.ensureAll([target])).resolves.toEqual(['added']);
    expect(queue.addBulk).toHaveBeenCalled();
  });

  it('keeps a job that is there for the right time, and only records it', async () => {
    const { jobs, queue, dataSource } = setup({ data: { scheduledFor: AT.toISOString() }, state: 'delayed' });
    await expect(jobs.ensureAll([target])).resolves.toEqual(['present']);
    expect(queue.remove).not.toHaveBeenCalled();
    expect(queue.addBulk).not.toHaveBeenCalled();
    expect(dataSource.query).toHaveBeenCalled();
  });

  it.each([
    ['added for another time', { data: { scheduledFor: '2025-03-01T01:00:00.000Z' }, state: 'delayed' }],
    ['failed for good', { data: { scheduledFor: AT.toISOString() }, state: 'failed' }],
  ])('replaces a job %s', async (_, job) => {
    const { jobs, queue } = setup(job);
    await expect(jobs.ensureAll([target])).resolves.toEqual(['added']);
    expect(queue.remove).toHaveBeenCalledWith(target.id);
    expect(queue.addBulk).toHaveBeenCalled();
  });

  it('leaves a job alone while a worker processes it', async () => {
    const { jobs, queue } = setup({ data: { scheduledFor: '2025-03-01T01:00:00.000Z' }, state: 'active' });
    await expect(jobs.ensureAll([target])).resolves.toEqual(['busy']);
    expect(queue.remove).not.toHaveBeenCalled();
    expect(queue.addBulk).not.toHaveBeenCalled();
  });

  it('applies a committed plan: removals, additions, moves', async () => {
    const { jobs, queue } = setup();
    await jobs.apply({ add: [target], move: [], remove: ['gone-1'] });
    expect(queue.remove).toHaveBeenCalledWith('gone-1');
    expect(queue.addBulk).toHaveBeenCalledTimes(1);
  });

  it('issues the work of many jobs at once: removals together, one bulk add, one statement', async () => {
    const { jobs, queue, dataSource } = setup();
    let inFlight = 0;
    let most = 0;
    queue.remove.mockImplementation(async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return 1;
    });
    const moved = { id: 'a1b2c3d4-0000-4000-8000-000000000002', scheduledFor: AT };
    await jobs.apply({ add: [target], move: [moved], remove: ['gone-1', 'gone-2', 'gone-3'] });
    // Removals are not waited for one by one.
    expect(most).toBe(3);
    // The new reminder and the moved one (its job was missing) in one bulk add.
    expect(queue.addBulk).toHaveBeenCalledTimes(1);
    expect(
      (queue.addBulk.mock.calls[0] as [{ opts: { jobId: string } }[]])[0].map((j) => j.opts.jobId),
    ).toEqual([target.id, moved.id]);
    expect(dataSource.query).toHaveBeenCalledTimes(1);
  });

  it('records jobs already right as enqueued with the added ones, in one statement', async () => {
    const { jobs, queue, dataSource } = setup({ data: { scheduledFor: AT.toISOString() }, state: 'delayed' });
    const other = { id: 'a1b2c3d4-0000-4000-8000-000000000003', scheduledFor: AT };
    queue.getJob.mockImplementation((id: string) =>
      Promise.resolve(
        id === target.id
          ? {
              data: { reminderId: id, scheduledFor: AT.toISOString() },
              getState: () => Promise.resolve('delayed'),
            }
          : undefined,
      ),
    );
    await expect(jobs.ensureAll([target, other])).resolves.toEqual(['present', 'added']);
    expect(queue.addBulk).toHaveBeenCalledTimes(1);
    expect(dataSource.query).toHaveBeenCalledTimes(1);
    expect((dataSource.query.mock.calls[0] as [string, string[][]])[1][0]).toEqual([other.id, target.id]);
  });
});

describe('JobChangeSet', () => {
  const at = (iso: string) => new Date(iso);
  const a = { id: 'r-a', scheduledFor: at('2025-04-01T01:00:00Z') };
  const b = { id: 'r-b', scheduledFor: at('2025-04-02T01:00:00Z') };

  it('keeps the changes of one plan as they are', () => {
    const set = new JobChangeSet();
    set.add(a);
    set.move(b);
    set.remove('r-c');
    expect(set.changes()).toEqual({ add: [a], move: [b], remove: ['r-c'] });
  });

  it('adds a reminder created and moved in one transaction once, at its last time', () => {
    const set = new JobChangeSet();
    set.add(a);
    const later = { ...a, scheduledFor: at('2025-05-01T01:00:00Z') };
    set.move(later);
    expect(set.changes()).toEqual({ add: [later], move: [], remove: [] });
  });

  it('neither adds nor removes a job for a reminder created and cancelled in one transaction', () => {
    const set = new JobChangeSet();
    set.add(a);
    set.move({ ...a, scheduledFor: at('2025-05-01T01:00:00Z') });
    set.remove(a.id);
    expect(set.changes()).toEqual({ add: [], move: [], remove: [] });
    expect(set.size).toBe(0);
  });

  it('removes the job of a reminder moved and then cancelled', () => {
    const set = new JobChangeSet();
    set.move(b);
    set.remove(b.id);
    expect(set.changes()).toEqual({ add: [], move: [], remove: [b.id] });
  });
});
