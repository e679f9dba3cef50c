/**
 * A problem the person running the command can fix (install Java, free a port...). The CLI prints
 * only its message, without a stack trace, and exits non-zero.
 */
export class SetupError extends Error {
  override readonly name = 'SetupError';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
