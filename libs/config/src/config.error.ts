export interface ConfigIssue {
  /** The environment variable, e.g. "DATABASE_URL", or "(config)" for a whole-object rule. */
  readonly key: string;
  /** What is wrong, without the key: `must be a postgres:// URL (got "mysql://…")`. */
  readonly message: string;
}

/**
 * Thrown at boot when the environment does not satisfy a service's schema. The message is the
 * whole report (every bad variable, one per line) because it is read by a person on a terminal
 * or in a crash-looping pod's log, where a stack trace is noise and a first-error-only report
 * turns one fix into several restarts.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'INVALID_CONFIG';

  constructor(
    readonly service: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(
      [
        `Invalid configuration for service "${service}":`,
        ...issues.map((i) => `${i.key}: ${i.message}`),
      ].join('\n'),
    );
  }
}
