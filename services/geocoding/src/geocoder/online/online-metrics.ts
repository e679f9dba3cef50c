import { Counter, Histogram, register, type Metric } from 'prom-client';

// prom-client's default registry is what /metrics serves; reuse on re-import (specs load modules
// more than once) instead of throwing "already registered".
function metric<T extends Metric>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

export const geocoderRequests = metric(
  'duemap_geocoder_requests_total',
  () =>
    new Counter({
      name: 'duemap_geocoder_requests_total',
      help: 'Requests sent to an online geocoder, by provider and outcome (found, empty, error, timeout)',
      labelNames: ['provider', 'outcome'],
    }),
);

export const geocoderErrors = metric(
  'duemap_geocoder_errors_total',
  () =>
    new Counter({
      name: 'duemap_geocoder_errors_total',
      help: 'Failed online geocoder requests, by provider and reason (timeout, network, http_<status>, status_<code>, bad_body, refused_url, rate_limited)',
      labelNames: ['provider', 'reason'],
    }),
);

export const geocoderSeconds = metric(
  'duemap_geocoder_request_seconds',
  () =>
    new Histogram({
      name: 'duemap_geocoder_request_seconds',
      help: 'Time an online geocoder took to answer (after the rate limit let the request go), by provider',
      labelNames: ['provider'],
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
);

export const geocoderRateWaitSeconds = metric(
  'duemap_geocoder_rate_wait_seconds',
  () =>
    new Histogram({
      name: 'duemap_geocoder_rate_wait_seconds',
      help: "Time a request waited for the provider's rate limit before it was sent",
      labelNames: ['provider'],
      buckets: [0, 0.1, 0.5, 1, 2.5, 5, 10, 30],
    }),
);

export const geocoderCache = metric(
  'duemap_geocoder_cache_total',
  () =>
    new Counter({
      name: 'duemap_geocoder_cache_total',
      help: "Online geocoder cache lookups, by provider and result (hit, miss, off: the provider's terms allow no caching)",
      labelNames: ['provider', 'result'],
    }),
);

export const geocoderAnswers = metric(
  'duemap_geocoder_answers_total',
  () =>
    new Counter({
      name: 'duemap_geocoder_answers_total',
      help: 'Addresses geocoded with an online provider configured, by provider and who answered (online, cache, offline) and why offline did (not_asked, empty, error, coarser, other_country)',
      labelNames: ['provider', 'answered_by', 'reason'],
    }),
);
