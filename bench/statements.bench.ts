/**
 * Bank statement parsing in constant memory: generates a camt.053 and an MT940 file of --mb MB each
 * (default 100) in a temporary directory, streams each through its parser as the import does, and
 * prints MB/s, lines/s, the peak RSS and its growth over the RSS before parsing. Exits 1 when the
 * growth passes --max-growth-mb (default 100): the parsers hold one entry (camt) or one statement
 * line (MT940) at a time, so a file 10x larger must not need more memory. The files are deleted.
 * The script runs with a 96 MB old-generation heap (--max-old-space-size): a parser that kept the
 * file, or even its lines, would die of it long before the end.
 *
 *   npm run bench:statements [-- --mb 100 --max-growth-mb 100 --keep]
 */
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStatement } from '../services/payments/src/bank-statements/parsing/parse-statement';
import type { StatementProgress } from '../services/payments/src/bank-statements/parsing/statement-line';
import {
  generateCamt053,
  generateMt940,
} from '../services/payments/src/bank-statements/parsing/testing/generate-statements';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const MB = 1024 * 1024;
const targetMb = option('mb', 100);
const maxGrowthMb = option('max-growth-mb', 100);
const keep = process.argv.includes('--keep');

interface Result {
  format: string;
  mb: number;
  seconds: number;
  lines: number;
  credits: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  /** V8 heap in use after a full GC, before and after: what the parse kept. */
  heapBeforeMb: number;
  heapAfterMb: number;
  progressCalls: number;
}

function heapAfterGc(): number {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed / MB;
}

async function measure(format: string, path: string): Promise<Result> {
  const heapBefore = heapAfterGc();
  const size = statSync(path).size;
  const rssBefore = process.memoryUsage.rss();
  let peak = rssBefore;
  let progressCalls = 0;
  let lastShown = 0;
  const onProgress = (p: StatementProgress): void => {
    progressCalls += 1;
    peak = Math.max(peak, process.memoryUsage.rss());
    const percent = Math.floor((p.bytesRead / (p.totalBytes ?? size)) * 100);
    if (percent >= lastShown + 10) {
      lastShown = percent - (percent % 10);
      process.stdout.write(
        `\r  ${format}: ${percent}% (${(p.bytesRead / MB).toFixed(0)} MB, ${p.lines} lines)   `,
      );
    }
  };
  const started = performance.now();
  const parsed = await openStatement(createReadStream(path, { highWaterMark: 256 * 1024 }), {
    totalBytes: size,
    onProgress,
  });
  let lines = 0;
  let credits = 0;
  for await (const line of parsed.lines) {
    lines += 1;
    if (line.direction === 'credit') credits += 1;
    if ((lines & 0x3fff) === 0) peak = Math.max(peak, process.memoryUsage.rss());
  }
  const seconds = (performance.now() - started) / 1000;
  peak = Math.max(peak, process.memoryUsage.rss());
  process.stdout.write('\r'.padEnd(70) + '\r');
  return {
    format: parsed.format,
    mb: size / MB,
    seconds,
    lines,
    credits,
    rssBeforeMb: rssBefore / MB,
    rssPeakMb: peak / MB,
    heapBeforeMb: heapBefore,
    heapAfterMb: heapAfterGc(),
    progressCalls,
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'duemap-statements-'));
  try {
    const camt = join(dir, 'bench.camt053.xml');
    const mt940 = join(dir, 'bench.mt940.sta');
    console.log(`generating ${targetMb} MB camt.053 and MT940 in ${dir} …`);
    const entries = await generateCamt053(camt, targetMb * MB);
    const statements = await generateMt940(mt940, targetMb * MB);
    console.log(`  camt.053: ${entries} entries; MT940: ${statements} statements of 50 lines`);
    const results = [await measure('camt053', camt), await measure('mt940', mt940)];
    console.log('');
    console.log(
      'format    size MB   seconds    MB/s     lines/s   credits   RSS before  RSS peak  growth MB',
    );
    let failed = false;
    for (const r of results) {
      const growth = r.rssPeakMb - r.rssBeforeMb;
      if (growth > maxGrowthMb) failed = true;
      console.log(
        [
          r.format.padEnd(8),
          r.mb.toFixed(1).padStart(8),
          r.seconds.toFixed(1).padStart(9),
          (r.mb / r.seconds).toFixed(1).padStart(7),
          Math.round(r.lines / r.seconds)
            .toLocaleString('en')
            .padStart(11),
          r.credits.toLocaleString('en').padStart(9),
          r.rssBeforeMb.toFixed(0).padStart(11),
          r.rssPeakMb.toFixed(0).padStart(9),
          growth.toFixed(0).padStart(10),
        ].join(' '),
      );
      console.log(
        `          ${r.lines.toLocaleString('en')} lines, ${r.progressCalls} progress callbacks, heap after GC ` +
          `${r.heapBeforeMb.toFixed(1)} MB before, ${r.heapAfterMb.toFixed(1)} MB after`,
      );
    }
    console.log(
      failed ? `FAIL: RSS grew more than ${maxGrowthMb} MB` : `ok: RSS growth under ${maxGrowthMb} MB`,
    );
    if (failed) process.exitCode = 1;
  } finally {
    if (keep) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
