/** Human-facing output: progress to stderr, so stdout stays clean for what can be piped (`infra`). */
export function say(message = ''): void {
  process.stderr.write(message + '\n');
}

export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1_000)} s`;
}

/** Runs a step between a "…" line and a "✓ (duration)" line. */
export async function timed<T>(
  label: string,
  work: () => Promise<T>,
  detail?: (result: T) => string,
): Promise<T> {
  const started = Date.now();
  say(`… ${label}`);
  const result = await work();
  const extra = detail ? `: ${detail(result)}` : '';
  say(`✓ ${label}${extra} (${formatDuration(Date.now() - started)})`);
  return result;
}

/** Left-aligned columns, two spaces apart. */
export function table(rows: readonly (readonly string[])[], indent = '  '): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map(
      (row) =>
        indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '),
    )
    .join('\n');
}
