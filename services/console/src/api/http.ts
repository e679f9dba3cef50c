/**
 * The console's one way to the API: same-origin calls carrying the HttpOnly session cookie the
 * gateway's sign-in page set (the page never sees the token), with `X-Requested-With` so the
 * gateway accepts changes sent with a cookie. A 401 means the session is gone: the caller is sent
 * to sign in (once, see auth/session.ts); any other error becomes an ApiError with the API's message.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The fields the API named (422/400), when it named any. */
    readonly details: readonly { field: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Set by the session: what to do when a call answers 401. */
let onUnauthenticated: () => void = () => undefined;

export function whenUnauthenticated(handler: () => void): void {
  onUnauthenticated = handler;
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: { field?: string; message?: string }[] };
}

export async function apiGet<T>(path: string, signal?: AbortSignal): Promise<T> {
  return apiRequest<T>('GET', path, undefined, signal);
}

export async function apiRequest<T>(
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
  headers: Record<string, string> = {},
): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      'x-requested-with': 'XMLHttpRequest',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(signal ? { signal } : {}),
  });
  return answer<T>(res);
}

/** A file sent as the raw request body (bank statements: no multipart), with its content type. */
export async function apiUpload<T>(path: string, file: Blob, contentType: string): Promise<T> {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      'x-requested-with': 'XMLHttpRequest',
      'content-type': contentType,
    },
    body: file,
  });
  return answer<T>(res);
}

async function answer<T>(res: Response): Promise<T> {
  if (res.status === 401) {
    onUnauthenticated();
    throw new ApiError(401, 'UNAUTHENTICATED', 'signed out');
  }
  if (!res.ok) {
    let parsed: ErrorBody = {};
    try {
      parsed = (await res.json()) as ErrorBody;
    } catch {
      // not JSON (a proxy's page): the status says enough
    }
    throw new ApiError(
      res.status,
      parsed.error?.code ?? `HTTP_${res.status}`,
      parsed.error?.message ?? `${res.status} ${res.statusText}`,
      (parsed.error?.details ?? []).flatMap((d) =>
        typeof d.field === 'string' ? [{ field: d.field, message: d.message ?? '' }] : [],
      ),
    );
  }
  return (await res.json()) as T;
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}
