import { PaymentsErrorCode, PaymentsException } from './payments.exception';

export type Lookup<T> = { found: true; value: T } | { found: false };

/**
 * GET `url` on another Duemap service for a read-model miss. 404 (and 400: the owner says the id
 * cannot exist) is "not found"; anything else that is not a 200 with JSON — refused connection,
 * timeout, 5xx, an unparseable answer — means we cannot tell, and the request is answered 503
 * rather than a 404 that might be false.
 */
export async function fetchFromService<T>(
  service: string,
  url: string,
  timeoutMs: number,
  parse: (body: unknown) => T,
  /** Who is asking (ServiceCaller): every service checks its callers. */
  headers: Record<string, string> = {},
): Promise<Lookup<T>> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { ...headers, accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw unavailable(service, describe(err));
  }
  if (response.status === 404 || response.status === 400) {
    await response.body?.cancel();
    return { found: false };
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw unavailable(service, `answered ${response.status}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (err) {
    throw unavailable(service, `answered a body that is not JSON (${describe(err)})`);
  }
  try {
    return { found: true, value: parse(body) };
  } catch (err) {
    throw unavailable(service, `answered an unexpected body (${describe(err)})`);
  }
}

function unavailable(service: string, why: string): PaymentsException {
  return new PaymentsException(
    PaymentsErrorCode.DependencyUnavailable,
    `the ${service} service could not be asked (${why}); try again later`,
  );
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    return `${err.name}: ${err.message}${detail}`;
  }
  return String(err);
}

export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}
