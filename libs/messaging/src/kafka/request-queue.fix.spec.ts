import RequestQueue from 'kafkajs/src/network/requestQueue';
import { fixKafkaRequestQueueTimer, kafkaRequestQueueClass } from './request-queue.fix';

const silent = {
  debug: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  info: () => undefined,
};

/** kafkajs's own RequestQueue, as a connection makes it. */
function queue(maxInFlightRequests: number | null = null): RequestQueue {
  return new RequestQueue({
    maxInFlightRequests,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'spec',
    broker: '127.0.0.1:9092',
    logger: silent,
  });
}

function request(correlationId: number, sent: number[]) {
  return {
    entry: {
      correlationId,
      apiName: 'Fetch',
      apiKey: 1,
      apiVersion: 11,
      resolve: () => undefined,
      reject: () => undefined,
    },
    expectResponse: true,
    sendRequest: () => sent.push(correlationId),
  };
}

describe('fixKafkaRequestQueueTimer', () => {
  beforeAll(() => fixKafkaRequestQueueTimer());

  it('arms no timer when nothing is pending (kafkajs 2.2.4 re-armed one every millisecond)', () => {
    const q = queue();
    const sent: number[] = [];
    q.push(request(1, sent));
    q.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    q.checkPendingRequests();
    expect(sent).toEqual([1]);
    expect(q.pending).toHaveLength(0);
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it('still sends a request queued by client-side throttling once the throttle ends', async () => {
    const q = queue();
    const sent: number[] = [];
    q.maybeThrottle(30);
    q.push(request(1, sent));
    expect(sent).toEqual([]);
    expect(q.throttleCheckTimeoutId).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(sent).toEqual([1]);
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.destroy();
  });

  it('sends a request held by the in-flight limit when the one before it is answered', async () => {
    const q = queue(1);
    const sent: number[] = [];
    q.push(request(1, sent));
    q.push(request(2, sent));
    expect(sent).toEqual([1]);
    q.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    expect(sent).toEqual([1, 2]);
    q.fulfillRequest({ correlationId: 2, payload: Buffer.alloc(0), size: 0 });
    // The check armed while request 2 waited runs once more, finds nothing, and arms nothing.
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.destroy();
  });

  it('is applied once however often it is called', () => {
    const before = kafkaRequestQueueClass().prototype.scheduleCheckPendingRequests;
    fixKafkaRequestQueueTimer();
    expect(kafkaRequestQueueClass().prototype.scheduleCheckPendingRequests).toBe(before);
  });

  it('refuses a kafkajs whose queue no longer has the method it replaces', () => {
    const changed = { prototype: {} } as unknown as Parameters<typeof fixKafkaRequestQueueTimer>[0];
    expect(() => fixKafkaRequestQueueTimer(changed)).toThrow(/scheduleCheckPendingRequests/);
  });
});
