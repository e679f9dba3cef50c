import type { IncomingMessage } from 'node:http';

/** Why a call to /api/v1 is refused; the forwarder answers it in the shared error shape. */
export interface Denial {
  status: 401 | 403;
  code: 'UNAUTHENTICATED' | 'FORBIDDEN';
  message: string;
}

/**
 * The single place where callers of /api/v1 are authenticated and authorised, before any request
 * reaches a service; the forwarder calls it first, ahead of routing and the body limit. Today it
 * lets every request through and only strips the client-supplied identity headers, so a service
 * can later trust `x-duemap-subject` and `x-duemap-roles` set here. The authentication issue
 * replaces the body: verify `Authorization: Bearer <token>`, return a Denial (401/403), and set the
 * subject and roles on `req.headers`, which the forwarder copies to the service after this returns.
 *
 * It is synchronous so the upstream request is opened in the same tick. If verification ever needs
 * I/O (fetching a key set), it may return a promise: the forwarder would then await it, and the
 * trace context still follows (AsyncLocalStorage crosses awaits).
 */
export function authorize(req: IncomingMessage): Denial | undefined {
  delete req.headers['x-duemap-subject'];
  delete req.headers['x-duemap-roles'];
  return undefined;
}
