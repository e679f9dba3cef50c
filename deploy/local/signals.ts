const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Thrown (as the abort reason) into whatever was starting when Ctrl-C or `npm stop` arrived. */
export class Interrupted extends Error {
  override readonly name = 'AbortError';
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }
}

/**
 * Calls `onStop` once on the first SIGINT/SIGTERM/SIGHUP and aborts the returned signal, so work in
 * progress (a broker still starting) stops early. The same stop often arrives twice within a moment
 * (from the terminal and forwarded by npm); that is ignored. A later second signal exits at once.
 */
export function onStopSignal(onStop: (signal: NodeJS.Signals) => void): AbortSignal {
  const controller = new AbortController();
  let first: number | undefined;
  const handler = (signal: NodeJS.Signals): void => {
    if (first !== undefined) {
      if (Date.now() - first < 1_000) return;
      process.stderr.write('\nStopping right away. Anything still running: npm stop\n');
      process.exit(130);
    }
    first = Date.now();
    controller.abort(new Interrupted(signal));
    onStop(signal);
  };
  for (const signal of SIGNALS) process.on(signal, handler);
  return controller.signal;
}

export function isInterruption(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
