/** A small client for the public API, as an outside caller sees it: JSON over the gateway. */
export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export interface ErrorBody {
  error: { code: string; message: string; details: { field?: string; message: string }[] };
}

export interface Money {
  amount: string;
  currency: string;
}

function isClosedSocket(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string } }).cause;
  return cause?.code === 'UND_ERR_SOCKET' || cause?.code === 'ECONNRESET';
}

export interface ApiClientOptions {
  /** Sent as `Authorization: Bearer <token>` on every request (the stack's `token()` mints one). */
  token?: string;
}

export class ApiClient {
  readonly token: string | undefined;

  constructor(
    readonly baseUrl: string,
    options: ApiClientOptions = {},
  ) {
    this.token = options.token;
  }

  /** The same client, calling as someone else (undefined: without credentials). */
  withToken(token: string | undefined): ApiClient {
    return new ApiClient(this.baseUrl, { token });
  }

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const send = (): Promise<Response> =>
      fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.token === undefined ? {} : { authorization: `Bearer ${this.token}` }),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
    let res: Response;
    try {
      res = await send();
    } catch (err) {
      // A kept-alive socket the server closed just as we sent on it: nothing was processed. Repeat
      // once what is safe to repeat (reads, upserts, and POSTs that carry an Idempotency-Key).
      const retryable = method !== 'POST' || 'Idempotency-Key' in headers;
      if (!retryable || !isClosedSocket(err)) throw err;
      res = await send();
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = unknown>(path: string): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path);
  }

  put<T = unknown>(path: string, body: unknown): Promise<ApiResponse<T>> {
    return this.request<T>('PUT', path, body);
  }

  post<T = unknown>(path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, body ?? {}, headers);
  }
}

/** Polls `read` until `accept` holds, or fails showing the last value read. */
export async function eventually<T>(
  what: string,
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (accept(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
}

export function isoDate(offsetDays: number, from = new Date()): string {
  const d = new Date(from.getTime() + offsetDays * 86_400_000);
  return d.toISOString().slice(0, 10);
}
