import { RateLimitExceededError, TokenBucket } from './token-bucket';

/** A clock that only moves when a request sleeps, so the schedule is exact. */
function fakeClock() {
  let t = 1_000;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: (ms: number) => {
      slept.push(ms);
      return Promise.resolve();
    },
    advance: (ms: number) => {
      t += ms;
    },
    slept,
  };
}

describe('TokenBucket', () => {
  it('spaces requests 1/rate apart once the burst is spent, in arrival order', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ provider: 'nominatim', ratePerSecond: 2, maxWaitMs: 10_000, ...clock });
    await Promise.all([bucket.take(), bucket.take(), bucket.take(), bucket.take()]);
    expect(clock.slept).toEqual([500, 1000, 1500]);
  });

  it('lets a burst go at once, then refills at the rate', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({
      provider: 'amap',
      ratePerSecond: 10,
      burst: 3,
      maxWaitMs: 1_000,
      ...clock,
    });
    for (let i = 0; i < 3; i++) await bucket.take();
    expect(clock.slept).toEqual([]);
    expect(bucket.waitMs()).toBeCloseTo(100);
    clock.advance(300);
    for (let i = 0; i < 3; i++) await bucket.take();
    expect(clock.slept).toEqual([]);
  });

  it('refuses a request whose slot is beyond maxWaitMs without taking a slot', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ provider: 'baidu', ratePerSecond: 1, maxWaitMs: 1_500, ...clock });
    await bucket.take(); // now
    await bucket.take(); // +1 s
    await expect(bucket.take()).rejects.toBeInstanceOf(RateLimitExceededError); // +2 s > 1.5 s
    clock.advance(1_000);
    await bucket.take(); // +1 s from the new now: the refused one took nothing
    expect(clock.slept).toEqual([1000, 1000]);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new TokenBucket({ provider: 'x', ratePerSecond: 0, maxWaitMs: 1 })).toThrow('ratePerSecond');
  });
});
