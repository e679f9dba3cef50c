import { Logger } from '@nestjs/common';
import { checkOutboundUrl, OutboundUrlError, type OutboundPolicy } from '@duemap/http';
import type { GeocodeAddress, GeocodeResult, GeocodingProvider } from '../geocoding-provider';
import { ProviderError, type OnlineAdapter } from './online-adapter';
import { geocoderErrors, geocoderRateWaitSeconds, geocoderRequests, geocoderSeconds } from './online-metrics';
import { RateLimitExceededError, type RateLimiter } from './token-bucket';

/** Where OnlineGeocoder writes its structured log lines; Nest's Logger by default, a recorder in tests. */
export interface GeocoderLog {
  info(entry: Record<string, unknown>): void;
  warn(entry: Record<string, unknown>): void;
  debug(entry: Record<string, unknown>): void;
}

export interface OnlineGeocoderOptions {
  /** Longest one request may take, answer included (GEOCODER_TIMEOUT). */
  readonly timeoutMs: number;
  /** The provider's rate limit, shared by every request of this process (or of all, in Redis). */
  readonly bucket: RateLimiter;
  /** Sent with every request: Nominatim's usage policy requires one that names the application. */
  readonly userAgent: string;
  /** Which addresses the URL may reach (OUTBOUND_ALLOW_PRIVATE / OUTBOUND_ALLOW_HOSTS). */
  readonly outbound?: OutboundPolicy;
  /** Replaced by the key wherever a message might contain it (defence in depth). */
  readonly key?: string;
  readonly log?: GeocoderLog;
}

/** The request took longer than GEOCODER_TIMEOUT. */
export class GeocoderTimeoutError extends Error {
  constructor(
    readonly provider: string,
    timeoutMs: number,
  ) {
    super(`${provider}: no answer within ${timeoutMs} ms`);
    this.name = 'GeocoderTimeoutError';
  }
}

/** A URL as it may be logged: no query (where the key travels), no credentials. */
export function loggableUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

export function nestLog(): GeocoderLog {
  const logger = new Logger('Geocoder');
  return {
    info: (entry) => logger.log(entry),
    warn: (entry) => logger.warn(entry),
    debug: (entry) => logger.debug(entry),
  };
}

/**
 * An online provider behind GeocodingProvider: asks the adapter for the request, waits for the
 * provider's token, checks the URL may be reached (checkOutboundUrl, again before each request as
 * a name can be re-pointed), sends it with a timeout and the configured User-Agent, and lets the
 * adapter read the answer. Failures are thrown (the fallback decides what to do); every request is
 * counted and timed per provider on /metrics; log lines name the provider, the URL without its
 * query and the reason, never the key.
 */
export class OnlineGeocoder implements GeocodingProvider {
  readonly name: string;
  private readonly log: GeocoderLog;

  constructor(
    readonly adapter: OnlineAdapter,
    private readonly options: OnlineGeocoderOptions,
  ) {
    this.name = adapter.name;
    this.log = options.log ?? nestLog();
  }

  async geocode(address: GeocodeAddress): Promise<GeocodeResult | null> {
    const url = this.adapter.request(address);
    if (url === undefined) return null;
    const provider = this.adapter.name;
    const waitStarted = performance.now();
    try {
      await this.options.bucket.take();
    } catch (err) {
      if (err instanceof RateLimitExceededError) geocoderErrors.inc({ provider, reason: 'rate_limited' });
      throw err;
    }
    geocoderRateWaitSeconds.observe({ provider }, (performance.now() - waitStarted) / 1000);

    const started = performance.now();
    try {
      await checkOutboundUrl(url.href, this.options.outbound).catch((err: unknown) => {
        throw err instanceof OutboundUrlError
          ? new ProviderError(provider, 'refused_url', this.redact(err.message))
          : err;
      });
      const body = await this.fetchJson(url);
      const result = this.adapter.parse(body, address);
      geocoderRequests.inc({ provider, outcome: result ? 'found' : 'empty' });
      this.log.debug({
        msg: 'online geocoder answered',
        provider,
        url: loggableUrl(url),
        precision: result?.precision ?? null,
        ms: Math.round(performance.now() - started),
      });
      return result;
    } catch (err) {
      const reason =
        err instanceof GeocoderTimeoutError
          ? 'timeout'
          : err instanceof ProviderError
            ? err.reason
            : 'network';
      geocoderRequests.inc({ provider, outcome: reason === 'timeout' ? 'timeout' : 'error' });
      geocoderErrors.inc({ provider, reason });
      this.log.warn({
        msg: 'online geocoder failed',
        provider,
        url: loggableUrl(url),
        reason,
        error: this.redact(err instanceof Error ? err.message : String(err)),
        ms: Math.round(performance.now() - started),
      });
      if (err instanceof GeocoderTimeoutError || err instanceof ProviderError) throw err;
      throw new ProviderError(
        provider,
        reason,
        this.redact(err instanceof Error ? err.message : String(err)),
      );
    } finally {
      geocoderSeconds.observe({ provider }, (performance.now() - started) / 1000);
    }
  }

  private async fetchJson(url: URL): Promise<unknown> {
    const provider = this.adapter.name;
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const res = await fetch(url, {
        headers: { accept: 'application/json', 'user-agent': this.options.userAgent },
        redirect: 'error',
        signal,
      });
      // Read to the end either way: the connection goes back to the pool, and the timeout covers it.
      const raw = await res.text();
      if (!res.ok) throw new ProviderError(provider, `http_${res.status}`, `answered HTTP ${res.status}`);
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        throw new ProviderError(provider, 'bad_body', 'answered something that is not JSON');
      }
    } catch (err) {
      if (signal.aborted) throw new GeocoderTimeoutError(provider, this.options.timeoutMs);
      throw err;
    }
  }

  private redact(message: string): string {
    const { key } = this.options;
    let out = message.replace(/([?&](?:key|ak|api_key)=)[^&\s]*/gi, '$1***');
    if (key) out = out.split(key).join('***');
    return out;
  }
}
