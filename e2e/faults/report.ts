import fs from 'node:fs';
import { spawnSync } from 'node:child_process';

export interface FaultRow {
  fault: string;
  /** From the end of the fault (or, for a fault that lasts, from its start) until every check held; null: not within the observation window. */
  recoveredMs: number | null;
  /** Payments or events whose effect is missing once the stack settled. */
  lost: number;
  /** Payments applied more than once, or somewhere they were not allocated. */
  doubleApplied: number;
  /** .dlq messages other than the deliberately bad events. */
  outageDlq: number;
  /** Reminders sent for an invoice paid before (see Pipeline.remindersSentAfterPayment). */
  remindersForPaid: number;
  /** What failed, and what the suite did to go on (a repair is not a recovery). */
  problems: string[];
  notes: string[];
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export function renderTable(rows: readonly FaultRow[], recoveryBoundMs: number): string {
  const header = [
    'fault',
    'recovered in',
    'events lost',
    'double-applied',
    'outage DLQ',
    'reminders for paid',
    'result',
  ];
  const lines = rows.map((r) => [
    r.fault,
    r.recoveredMs === null ? 'not recovered' : seconds(r.recoveredMs),
    String(r.lost),
    String(r.doubleApplied),
    String(r.outageDlq),
    String(r.remindersForPaid),
    r.problems.length === 0 ? 'pass' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const format = (cells: string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    format(header),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...lines.map(format),
    '',
    `Recovery bound: ${seconds(recoveryBoundMs)}.`,
  ].join('\n');
}

export function renderProblems(rows: readonly FaultRow[]): string {
  const lines: string[] = [];
  for (const r of rows) {
    for (const p of r.problems) lines.push(`- ${r.fault}: ${p}`);
    for (const n of r.notes) lines.push(`- ${r.fault} (note): ${n}`);
  }
  return lines.join('\n');
}

const START = '<!-- fault-suite:last-run:start -->';
const END = '<!-- fault-suite:last-run:end -->';

/**
 * Replaces the last-run block of a Markdown page (between the fault-suite markers) with this run,
 * formatted as the repository's Prettier check wants it (error texts may hold Markdown syntax).
 */
export function writeLastRun(file: string, block: string): void {
  const page = fs.readFileSync(file, 'utf8');
  const from = page.indexOf(START);
  const to = page.indexOf(END);
  if (from < 0 || to < from) throw new Error(`${file} has no ${START} … ${END} block to write the run into`);
  // Blank lines around it: glued to the comments, Markdown reads the block as part of them.
  const next = `${page.slice(0, from + START.length)}\n\n${block.trim()}\n\n${page.slice(to)}`;
  fs.writeFileSync(file, next);
  // Prettier's API loads its plugins with import(), which Jest's module loader refuses: its CLI.
  const prettier = spawnSync(
    process.execPath,
    [require.resolve('prettier/bin/prettier.cjs'), '--write', file],
    {
      encoding: 'utf8',
    },
  );
  if (prettier.status !== 0) throw new Error(`prettier could not format ${file}: ${prettier.stderr}`);
}
