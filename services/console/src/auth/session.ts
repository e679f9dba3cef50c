import { apiGet, ApiError, whenUnauthenticated } from '../api/http';
import type { Me } from '../api/types';

const REDIRECTED_AT = 'duemap.signIn.redirectedAt';
/** Coming back from sign-in still signed out within this long means sign-in is not taking: stop. */
const LOOP_WINDOW_MS = 60_000;

export type SessionState =
  | { kind: 'loading' }
  | { kind: 'signed-in'; me: Me }
  | { kind: 'redirecting' }
  /** Sent to sign in a moment ago and back without a session (cookies blocked, clock skew): no second trip. */
  | { kind: 'sign-in-failed' }
  | { kind: 'error'; message: string };

/** The gateway's sign-in page, which sends the browser back to `next` (a path of this site only). */
export function signInUrl(next = window.location.pathname + window.location.search): string {
  return `/auth/login?next=${encodeURIComponent(next)}`;
}

/**
 * Sends the browser to sign in, unless it was sent there within the last minute: then the caller
 * shows a message with a link instead, so an expired or refused session leads to the sign-in page
 * once, never round and round.
 */
export function redirectToSignIn(
  storage: Pick<Storage, 'getItem' | 'setItem'> = window.sessionStorage,
  go: (url: string) => void = (url) => window.location.assign(url),
  next: string = window.location.pathname + window.location.search,
  now: number = Date.now(),
): boolean {
  const last = Number(storage.getItem(REDIRECTED_AT) ?? '0');
  if (now - last < LOOP_WINDOW_MS) return false;
  storage.setItem(REDIRECTED_AT, String(now));
  go(signInUrl(next));
  return true;
}

/** Who is signed in; starts the sign-in trip on 401. */
export async function loadSession(): Promise<SessionState> {
  try {
    const me = await apiGet<Me>('/api/v1/me');
    window.sessionStorage.removeItem(REDIRECTED_AT);
    return { kind: 'signed-in', me };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      return redirectToSignIn() ? { kind: 'redirecting' } : { kind: 'sign-in-failed' };
    }
    return { kind: 'error', message: error instanceof Error ? error.message : String(error) };
  }
}

/** Any call of the app that answers 401 (the session expired while the page was open). */
export function onSessionLost(update: (state: SessionState) => void): void {
  let handled = false;
  whenUnauthenticated(() => {
    if (handled) return;
    handled = true;
    update(redirectToSignIn() ? { kind: 'redirecting' } : { kind: 'sign-in-failed' });
  });
}
