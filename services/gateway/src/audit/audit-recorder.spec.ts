import pino from 'pino';
import type { AuditEntry, AuditRow } from './audit-chain';
import type { AuditLogStore } from './audit-log.store';
import { AuditRecorder } from './audit-recorder';

function entry(subject: string): AuditEntry {
  return {
    at: '2026-05-01T08:30:00.123000Z',
    subject,
    kind: 'user',
    keyId: null,
    roles: [],
    method: 'POST',
    operation: null,
    resource: {},
    status: 201,
    address: null,
    userAgent: null,
    traceId: null,
  };
}

/** A store that fails its first `failures` appends, then keeps every batch it is given. */
function fakeStore(failures = 0): { store: AuditLogStore; batches: string[][] } {
  const batches: string[][] = [];
  let left = failures;
  const store = {
    append: (entries: readonly AuditEntry[]): Promise<AuditRow[]> => {
      if (left > 0) {
        left -= 1;
        return Promise.reject(new Error('database down'));
      }
      batches.push(entries.map((e) => e.subject));
      return Promise.resolve([]);
    },
  } as unknown as AuditLogStore;
  return { store, batches };
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const silent = pino({ level: 'silent' });

describe('AuditRecorder', () => {
  it('writes queued entries in batches of at most batchSize, in order', async () => {
    const { store, batches } = fakeStore();
    const recorder = new AuditRecorder(store, silent, { batchSize: 3, flushIntervalMs: 1 });
    for (let i = 0; i < 7; i++) recorder.enqueue(entry(`e${i}`));
    await until(() => recorder.pending === 0);
    expect(batches.flat()).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(3);
    await recorder.close();
  });

  it('retries a failed batch before anything queued after it, losing nothing', async () => {
    const { store, batches } = fakeStore(2);
    const recorder = new AuditRecorder(store, silent, {
      batchSize: 2,
      flushIntervalMs: 1,
      maxRetryDelayMs: 4,
    });
    recorder.enqueue(entry('a'));
    recorder.enqueue(entry('b'));
    recorder.enqueue(entry('c'));
    await until(() => recorder.pending === 0);
    expect(batches.flat()).toEqual(['a', 'b', 'c']);
    await recorder.close();
  });

  it('writes what is still queued on close', async () => {
    const { store, batches } = fakeStore();
    const recorder = new AuditRecorder(store, silent, { flushIntervalMs: 60_000 });
    recorder.enqueue(entry('last'));
    expect(batches).toEqual([]);
    await recorder.close();
    expect(batches).toEqual([['last']]);
  });

  it('drops the oldest entries once the buffer is full and the database does not take them', async () => {
    const { store, batches } = fakeStore(Number.MAX_SAFE_INTEGER);
    const recorder = new AuditRecorder(store, silent, { maxBuffered: 2, flushIntervalMs: 60_000 });
    for (const s of ['a', 'b', 'c']) recorder.enqueue(entry(s));
    expect(recorder.pending).toBe(2);
    await recorder.close(0);
    expect(batches).toEqual([]);
  });
});
