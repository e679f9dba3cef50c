import { AmapAdapter } from './amap.adapter';
import { AMAP_FUTONG } from './fixtures/responses';
import { ProviderError } from './online-adapter';
import { GeocoderTimeoutError, loggableUrl, OnlineGeocoder, type GeocoderLog } from './online-geocoder';
import { RateLimitExceededError, TokenBucket } from './token-bucket';

const KEY = 'amap-unit-key-8c1d';

function recorder(): GeocoderLog & { lines: string[] } {
  const lines: string[] = [];
  const push = (entry: Record<string, unknown>) => lines.push(JSON.stringify(entry));
  return { lines, info: push, warn: push, debug: push };
}

describe('OnlineGeocoder', () => {
  const realFetch = global.fetch;
  afterEach(() => {
    global.fetch = realFetch;
  });

  function geocoder(
    log: GeocoderLog,
    bucket = new TokenBucket({ provider: 'amap', ratePerSecond: 1000, maxWaitMs: 1000 }),
  ) {
    return new OnlineGeocoder(new AmapAdapter({ baseUrl: 'https://restapi.amap.com', key: KEY }), {
      timeoutMs: 200,
      bucket,
      userAgent: 'duemap-unit/1',
      outbound: { allowPrivate: true },
      key: KEY,
      log,
    });
  }

  it('logs the URL without its query', () => {
    expect(loggableUrl(new URL(`https://restapi.amap.com/v3/geocode/geo?key=${KEY}&address=x`))).toBe(
      'https://restapi.amap.com/v3/geocode/geo',
    );
  });

  it('sends the User-Agent and maps the answer', async () => {
    const seen: { url: string; headers: Record<string, string> }[] = [];
    global.fetch = jest.fn((url: string | URL | Request, init?: RequestInit) => {
      seen.push({
        url: url instanceof Request ? url.url : url.toString(),
        headers: init?.headers as Record<string, string>,
      });
      return Promise.resolve(new Response(JSON.stringify(AMAP_FUTONG), { status: 200 }));
    });
    const result = await geocoder(recorder()).geocode({ singleLine: '北京市朝阳区阜通东大街6号' });
    expect(result?.precision).toBe('rooftop');
    expect(seen[0]?.url).toContain(`key=${KEY}`);
    expect(seen[0]?.headers['user-agent']).toBe('duemap-unit/1');
  });

  it('scrubs the key from a network error that quotes the URL, in the log and in the error', async () => {
    global.fetch = jest.fn(() =>
      Promise.reject(
        new TypeError(`fetch failed: https://restapi.amap.com/v3/geocode/geo?address=x&key=${KEY}`),
      ),
    );
    const log = recorder();
    const error = await geocoder(log)
      .geocode({ singleLine: '北京市朝阳区阜通东大街6号' })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as Error).message).not.toContain(KEY);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toContain('"reason":"network"');
    expect(log.lines[0]).not.toContain(KEY);
  });

  it('turns an answer slower than the timeout into GeocoderTimeoutError', async () => {
    global.fetch = jest.fn(
      (_url: string | URL | Request, init?: RequestInit) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error));
        }),
    );
    await expect(
      geocoder(recorder()).geocode({ singleLine: '北京市朝阳区阜通东大街6号' }),
    ).rejects.toBeInstanceOf(GeocoderTimeoutError);
  });

  it('rejects with RateLimitExceededError without a request when the bucket is full', async () => {
    global.fetch = jest.fn(() => Promise.reject(new Error('must not be called')));
    const bucket = new TokenBucket({ provider: 'amap', ratePerSecond: 1, maxWaitMs: 0 });
    await bucket.take();
    await expect(geocoder(recorder(), bucket).geocode({ singleLine: '北京市朝阳区' })).rejects.toBeInstanceOf(
      RateLimitExceededError,
    );
    expect(global.fetch).not.toHaveBeenCalled();
  });
});
