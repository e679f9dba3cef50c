import RequestQueue from 'kafkajs/src/network/requestQueue';

/**
 * A fix for kafkajs 2.2.4 (its last release), applied when the first Kafka client is made.
 *
 * On every broker connection, kafkajs's RequestQueue re-arms a timer after each check of its
 * pending requests, even when nothing is pending. The delay is then negative, so Node runs the timer
 * about every millisecond for as long as the connection is open (tulios/kafkajs#1556, #1704; the
 * fix in PR #1667 was never released). That cost each idle service about 4 % of a core, and it
 * does not stop under load. Nothing needs that timer: a request that is queued (throttled, or
 * over the in-flight limit) schedules its own check, and each answered request checks the queue.
 * So here the schedule does nothing when the queue is empty, as in that PR. ADR 0010.
 */

const FIXED = Symbol.for('duemap.kafkajs.request-queue-fix');

interface RequestQueueClass {
  prototype: Pick<RequestQueue, 'pending' | 'scheduleCheckPendingRequests'> & { [FIXED]?: true };
}

/** The class kafkajs's connections use (an internal module of kafkajs). */
export function kafkaRequestQueueClass(): RequestQueueClass {
  return RequestQueue;
}

/** Idempotent; fails loudly if kafkajs no longer has the method it replaces. */
export function fixKafkaRequestQueueTimer(queueClass: RequestQueueClass = kafkaRequestQueueClass()): void {
  const proto = queueClass.prototype;
  if (proto[FIXED]) return;
  const schedule = proto.scheduleCheckPendingRequests;
  if (typeof schedule !== 'function') {
    throw new Error('kafkajs RequestQueue has no scheduleCheckPendingRequests: review request-queue.fix.ts');
  }
  proto.scheduleCheckPendingRequests = function scheduleOnlyWhenPending(this: RequestQueue) {
    if (this.pending.length === 0) return;
    schedule.call(this);
  };
  proto[FIXED] = true;
}
