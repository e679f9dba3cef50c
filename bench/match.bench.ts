/**
 * Cash application on a labelled set (services/payments/src/cash-application): a generated book of
 * customers with Chinese and Latin names and thousands of open invoices, and payments as payers
 * send them — typos, OCR confusions, several invoice numbers, partial payments, RF references,
 * combinations, payers known only by account, noise, and a share that is genuinely ambiguous
 * (labelled needs_review). Each payment runs through the engine over the in-memory open-items view.
 *
 * Prints the auto-match rate (auto-applied / all), the precision of what was auto-applied (its
 * allocations equal the label exactly; an auto-applied ambiguous case is wrong), the review rate
 * and payments/s; exits 1 when precision < 99.5 % or auto-match < 90 %.
 *
 *   npm run bench:match
 *   BENCH_MATCH_CASES=5000 BENCH_MATCH_SEED=7 npm run bench:match
 */
import { performance } from 'node:perf_hooks';
import { CashApplicationEngine } from '../services/payments/src/cash-application/cash-application.engine';
import type { CashApplicationResult } from '../services/payments/src/cash-application/cash-application.types';
import { InMemoryOpenItems } from '../services/payments/src/cash-application/in-memory-open-items';
import {
  generateLabelledSet,
  sameAllocations,
  type LabelledCase,
} from '../services/payments/src/cash-application/testing/labelled-set';

const SEED = Number(process.env.BENCH_MATCH_SEED ?? 20261207);
const CASES = Number(process.env.BENCH_MATCH_CASES ?? 1500);
const CUSTOMERS = Number(process.env.BENCH_MATCH_CUSTOMERS ?? 400);
const THRESHOLD = process.env.BENCH_MATCH_THRESHOLD ? Number(process.env.BENCH_MATCH_THRESHOLD) : undefined;
const PRECISION_FLOOR = 0.995;
const AUTO_FLOOR = 0.9;

interface Outcome {
  c: LabelledCase;
  result: CashApplicationResult;
  auto: boolean;
  correct: boolean;
}

const pct = (n: number, d: number): string =>
  d === 0 ? '   -  ' : `${((100 * n) / d).toFixed(1).padStart(5)} %`;

function describe(o: Outcome): string {
  const p = o.c.payment;
  const truth =
    o.c.truth.decision === 'auto_apply'
      ? o.c.truth.allocations.map((a) => `${a.invoiceId}=${a.amount.toString()}`).join(', ')
      : 'needs_review';
  return [
    `  ${o.c.id} ${o.c.kind}${o.c.note ? ` (${o.c.note})` : ''}: ${p.amount.toString()} payer=${JSON.stringify(p.payerName ?? null)} text=${JSON.stringify(p.remittanceText ?? null)} rf=${p.creditorReference ?? '-'}`,
    `    label:  ${truth}`,
    `    engine: ${o.result.decision} ${o.result.confidence} ${o.result.allocations.map((a) => `${a.invoiceId}=${a.amount.toString()} ${a.rule} ${a.confidence}`).join(', ')} [${o.result.reviewReasons.join(',')}]`,
    ...o.result.allocations.flatMap((a) => a.evidence.map((e) => `      · ${e}`)),
    ...o.result.evidence.map((e) => `      · ${e}`),
  ].join('\n');
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const set = generateLabelledSet({ seed: SEED, customers: CUSTOMERS, cases: CASES });
  const view = new InMemoryOpenItems(set.customers, set.invoices);
  const engine = new CashApplicationEngine(
    view,
    THRESHOLD === undefined ? {} : { autoApplyThreshold: THRESHOLD },
  );
  const setupMs = performance.now() - t0;
  const openInvoices = set.invoices.filter((i) => i.open.isPositive()).length;

  // One warm-up pass (JIT, OpenCC tables), then the measured pass.
  for (const c of set.cases.slice(0, 100)) await engine.apply(c.payment);
  const outcomes: Outcome[] = [];
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  for (const c of set.cases) {
    const result = await engine.apply(c.payment);
    const auto = result.decision === 'auto_apply';
    const correct = auto
      ? c.truth.decision === 'auto_apply' && sameAllocations(result.allocations, c.truth.allocations)
      : c.truth.decision === 'needs_review';
    outcomes.push({ c, result, auto, correct });
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;

  const total = outcomes.length;
  const autoApplied = outcomes.filter((o) => o.auto);
  const autoRight = autoApplied.filter((o) => o.correct);
  const reviewLabelled = outcomes.filter((o) => o.c.truth.decision === 'needs_review');
  const precision = autoApplied.length === 0 ? 0 : autoRight.length / autoApplied.length;
  const autoRate = autoApplied.length / total;

  console.log(
    `Cash application on ${total} labelled payments (seed ${SEED}); book: ${set.customers.length} customers, ${set.invoices.length} invoices (${openInvoices} open); set generated in ${setupMs.toFixed(0)} ms`,
  );
  console.log('');
  console.log('kind                          cases   auto   right  review  label=review');
  const kinds = [...new Set(outcomes.map((o) => o.c.kind))].sort();
  for (const kind of kinds) {
    const of = outcomes.filter((o) => o.c.kind === kind);
    const a = of.filter((o) => o.auto);
    console.log(
      `${kind.padEnd(28)} ${String(of.length).padStart(6)} ${pct(a.length, of.length)} ${String(a.filter((o) => o.correct).length).padStart(6)} ${pct(of.length - a.length, of.length)} ${String(of.filter((o) => o.c.truth.decision === 'needs_review').length).padStart(6)}`,
    );
  }
  const rules = new Map<string, number>();
  for (const o of autoApplied)
    for (const a of o.result.allocations) rules.set(a.rule, (rules.get(a.rule) ?? 0) + 1);
  console.log('');
  console.log(
    `allocations auto-applied by rule: ${[...rules.entries()].map(([r, n]) => `${r} ${n}`).join(', ')}`,
  );
  console.log(
    `ambiguous (labelled needs_review): ${reviewLabelled.length}, sent to review ${reviewLabelled.filter((o) => !o.auto).length}`,
  );
  console.log('');
  console.log(
    `auto-match rate     ${pct(autoApplied.length, total)}  (${autoApplied.length} of ${total}; floor ${AUTO_FLOOR * 100} %)`,
  );
  console.log(
    `precision (auto)    ${(100 * precision).toFixed(2).padStart(6)} %  (${autoRight.length} of ${autoApplied.length} equal the label; floor ${PRECISION_FLOOR * 100} %)`,
  );
  console.log(`review rate         ${pct(total - autoApplied.length, total)}`);
  console.log(
    `throughput          ${((total / wallMs) * 1000).toFixed(0)} payments/s wall, ${((total / cpuMs) * 1000).toFixed(0)} per CPU-second (${(wallMs / total).toFixed(2)} ms each)`,
  );

  const wrong = autoApplied.filter((o) => !o.correct);
  if (wrong.length > 0 || process.env.BENCH_MATCH_VERBOSE) {
    console.log('');
    console.log(`auto-applied but not the label (${wrong.length}):`);
    for (const o of wrong.slice(0, 20)) console.log(describe(o));
  }
  if (process.env.BENCH_MATCH_VERBOSE) {
    const missed = outcomes.filter((o) => !o.auto && o.c.truth.decision === 'auto_apply');
    console.log('');
    console.log(`sent to review though the label is clear (${missed.length}):`);
    for (const o of missed.slice(0, Number(process.env.BENCH_MATCH_VERBOSE) || 30)) console.log(describe(o));
  }

  const failures: string[] = [];
  if (precision < PRECISION_FLOOR)
    failures.push(`precision ${(100 * precision).toFixed(2)} % < ${PRECISION_FLOOR * 100} %`);
  if (autoRate < AUTO_FLOOR)
    failures.push(`auto-match ${(100 * autoRate).toFixed(1)} % < ${AUTO_FLOOR * 100} %`);
  if (failures.length > 0) {
    console.log('');
    console.log(`FLOOR MISSED: ${failures.join('; ')}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
