import { decideIdempotency } from './idempotency';

describe('decideIdempotency', () => {
  it('goes ahead when no payment carries the key', () => {
    expect(decideIdempotency(null, 'h1')).toBe('new');
    expect(decideIdempotency(undefined, 'h1')).toBe('new');
  });

  it('replays the stored payment when the request is the same', () => {
    expect(decideIdempotency({ requestHash: 'h1' }, 'h1')).toBe('replay');
  });

  it('refuses a key reused with a different request', () => {
    expect(decideIdempotency({ requestHash: 'h1' }, 'h2')).toBe('conflict');
  });
});
