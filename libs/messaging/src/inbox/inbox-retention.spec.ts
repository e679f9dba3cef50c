import pino from 'pino';
import { formatMs, inboxMayBePurged, InboxRetentionError, type RedeliveryWindow } from './inbox-retention';

const DAY = 86_400_000;
const logger = pino({ level: 'silent' });

function topic(
  name: string,
  retentionMs: number,
  segmentMs: number,
  compactedOnly = false,
): RedeliveryWindow {
  const forever = retentionMs < 0 || compactedOnly;
  return {
    topic: name,
    retentionMs,
    segmentMs,
    compactedOnly,
    windowMs: forever ? Infinity : retentionMs + segmentMs,
  };
}

describe('inboxMayBePurged', () => {
  it('allows a purge that outlasts every topic’s retention plus one segment', () => {
    expect(
      inboxMayBePurged(9 * DAY, [topic('a', 7 * DAY, DAY), topic('b', 2 * DAY, 3_600_000)], logger),
    ).toBe(true);
  });

  it('refuses one that does not, naming each topic too long for it and a retention that would do', () => {
    const refuse = (): boolean =>
      inboxMayBePurged(
        9 * DAY,
        [topic('ok', 7 * DAY, DAY), topic('old', 7 * DAY, 7 * DAY), topic('edge', 8 * DAY, DAY)],
        logger,
      );
    expect(refuse).toThrow(InboxRetentionError);
    expect(refuse).toThrow(
      'INBOX_RETENTION is 777600000 ms (9d), but Kafka can redeliver an event up to 1209600000 ms (14d) after it was ' +
        'written on old (retention.ms 604800000 = 7d + segment.ms 604800000 = 7d), ' +
        'edge (retention.ms 691200000 = 8d + segment.ms 86400000 = 1d)',
    );
    expect(refuse).toThrow('Set INBOX_RETENTION above 14d (e.g. 15d)');
    expect(refuse).not.toThrow(/\bok \(/);
  });

  it('purges nothing, with a warning, when a topic keeps its messages forever', () => {
    const warnings: unknown[] = [];
    const spy = { warn: (obj: unknown) => warnings.push(obj) } as unknown as pino.Logger;
    expect(inboxMayBePurged(9 * DAY, [topic('a', 7 * DAY, DAY), topic('forever', -1, 7 * DAY)], spy)).toBe(
      false,
    );
    expect(inboxMayBePurged(9 * DAY, [topic('compacted', 7 * DAY, DAY, true)], spy)).toBe(false);
    expect(warnings).toEqual([
      { topics: [{ topic: 'forever', retentionMs: -1, cleanupPolicy: 'delete' }] },
      { topics: [{ topic: 'compacted', retentionMs: 7 * DAY, cleanupPolicy: 'compact' }] },
    ]);
  });
});

describe('formatMs', () => {
  it.each([
    [14 * DAY, '14d'],
    [DAY + 3_600_000, '1d 1h'],
    [5_400_000, '1h 30m'],
    [1500, '1s 500ms'],
    [0, '0ms'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });
});
