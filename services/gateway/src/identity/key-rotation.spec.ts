import { activeKey, publishedKeys, rotated } from './key-rotation';

const at = (iso: string): Date => new Date(iso);
const key = (kid: string, createdAt: string, retiredAt: string | null = null) => ({
  kid,
  createdAt: at(createdAt),
  retiredAt: retiredAt === null ? null : at(retiredAt),
});
const HOUR = 3_600_000;

describe('signing key rotation', () => {
  it('signs with the newest key not retired', () => {
    const keys = [
      key('a', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'),
      key('b', '2026-02-01T00:00:00Z'),
      key('c', '2026-01-15T00:00:00Z'),
    ];
    expect(activeKey(keys)?.kid).toBe('b');
    expect(activeKey([key('a', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z')])).toBeUndefined();
  });

  it('rotating retires the active keys now and adds the new one as active', () => {
    const now = at('2026-03-01T12:00:00Z');
    const next = rotated([key('a', '2026-01-01T00:00:00Z')], key('b', '2026-03-01T12:00:00Z'), now);
    expect(next.map((k) => [k.kid, k.retiredAt])).toEqual([
      ['a', now],
      ['b', null],
    ]);
    expect(activeKey(next)?.kid).toBe('b');
  });

  it('keeps a retired key published until tokens it signed have expired, then drops it', () => {
    const keys = [
      key('old', '2026-01-01T00:00:00Z', '2026-03-01T12:00:00Z'),
      key('new', '2026-03-01T12:00:00Z'),
    ];
    const published = (now: string) => publishedKeys(keys, at(now), HOUR, 60_000).map((k) => k.kid);
    expect(published('2026-03-01T12:30:00Z')).toEqual(['old', 'new']);
    expect(published('2026-03-01T13:00:30Z')).toEqual(['old', 'new']); // within the leeway
    expect(published('2026-03-01T13:01:01Z')).toEqual(['new']);
  });
});
