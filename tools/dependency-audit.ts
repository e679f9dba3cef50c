/**
 * `npm run audit:deps`: `npm audit --json --omit=dev`, judged against audit-allowlist.json.
 *
 * Exit 0: no high or critical advisory on a production dependency, or each one allowed (printed
 * with its reason). Exit 1: one that is not allowed, an allowance past its reviewBy date, or an
 * allowlist or npm answer that cannot be read. Exit 2: npm could not get the advisories (the
 * registry refused the request or could not be reached): the reason npm gave is printed and the
 * last line starts with `not checked:` — this is never reported as a pass.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const ALLOWLIST_FILE = path.resolve(__dirname, '..', 'audit-allowlist.json');
export const BLOCKING_SEVERITIES: readonly string[] = ['high', 'critical'];

export interface Allowance {
  /** The advisory's npm id (`source`, e.g. "1102341"), its GHSA id or its GHSA url. */
  id: string;
  package: string;
  reason: string;
  /** YYYY-MM-DD: the day after which the allowance no longer counts and must be reviewed. */
  reviewBy: string;
}

export interface Advisory {
  source: string;
  package: string;
  title: string;
  url: string;
  severity: string;
  range: string;
}

export type AuditVerdict =
  | { kind: 'pass'; allowed: { advisory: Advisory; allowance: Allowance }[]; unused: Allowance[] }
  | {
      kind: 'fail';
      blocking: Advisory[];
      expired: Allowance[];
      allowed: { advisory: Advisory; allowance: Allowance }[];
      unused: Allowance[];
    }
  | { kind: 'unreachable'; reason: string; npmSaid: string }
  | { kind: 'error'; reason: string };

interface NpmVia {
  source?: number | string;
  name?: string;
  title?: string;
  url?: string;
  severity?: string;
  range?: string;
}

interface NpmAuditReport {
  vulnerabilities?: Record<string, { via?: (string | NpmVia)[] }>;
  // The shape npm prints when the advisory request failed.
  message?: string;
  statusCode?: number;
  error?: { code?: string; summary?: string; detail?: string };
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The allowlist file's entries, or why it is unusable (a bad allowlist fails the audit). */
export function parseAllowlist(text: string): Allowance[] | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { problem: `audit-allowlist.json is not JSON: ${(error as Error).message}` };
  }
  const list = (json as { allow?: unknown } | null)?.allow;
  if (!Array.isArray(list)) return { problem: 'audit-allowlist.json must be {"allow": [...]}' };
  const entries: Allowance[] = [];
  for (const [i, raw] of list.entries()) {
    const entry = raw as Partial<Record<keyof Allowance, unknown>>;
    for (const field of ['id', 'package', 'reason', 'reviewBy'] as const) {
      if (typeof entry[field] !== 'string' || entry[field].trim() === '') {
        return { problem: `audit-allowlist.json allow[${i}].${field} must be a non-empty string` };
      }
    }
    const allowance = entry as Allowance;
    const date = DATE.exec(allowance.reviewBy);
    if (!date || Number.isNaN(Date.parse(`${allowance.reviewBy}T00:00:00Z`))) {
      return { problem: `audit-allowlist.json allow[${i}].reviewBy must be a date YYYY-MM-DD` };
    }
    entries.push(allowance);
  }
  return entries;
}

/** The advisories npm listed; `via` strings only point at another package's entry, listed too. */
function advisoriesOf(report: NpmAuditReport): Advisory[] {
  const found = new Map<string, Advisory>();
  for (const [name, vulnerability] of Object.entries(report.vulnerabilities ?? {})) {
    for (const via of vulnerability.via ?? []) {
      if (typeof via === 'string') continue;
      const advisory: Advisory = {
        source: String(via.source ?? ''),
        package: via.name ?? name,
        title: via.title ?? '',
        url: via.url ?? '',
        severity: via.severity ?? 'unknown',
        range: via.range ?? '',
      };
      found.set(`${advisory.source}|${advisory.url}|${advisory.package}`, advisory);
    }
  }
  return [...found.values()];
}

function ghsaOf(url: string): string | undefined {
  return /\b(GHSA(?:-[0-9a-z]{4}){3})\b/i.exec(url)?.[1]?.toUpperCase();
}

function allows(allowance: Allowance, advisory: Advisory): boolean {
  if (allowance.package !== advisory.package) return false;
  const id = allowance.id.trim();
  if (advisory.source !== '' && id === advisory.source) return true;
  if (advisory.url !== '' && id === advisory.url) return true;
  const ghsa = ghsaOf(advisory.url);
  return ghsa !== undefined && ghsaOf(id) === ghsa;
}

/** Why npm got no report: the registry's status and message, or the network error. */
function unreachableReason(report: NpmAuditReport): { reason: string; npmSaid: string } | undefined {
  const npmSaid = [report.message, report.error?.summary, report.error?.detail]
    .filter((s): s is string => typeof s === 'string' && s.trim() !== '')
    .join(' — ');
  if (typeof report.statusCode === 'number') {
    return {
      reason: `registry refused the advisory request (${report.statusCode})`,
      npmSaid: npmSaid || `HTTP ${report.statusCode}`,
    };
  }
  if (report.error?.code) {
    return {
      reason: `advisory service unreachable (${report.error.code})`,
      npmSaid: npmSaid || report.error.code,
    };
  }
  return undefined;
}

/** `today` is YYYY-MM-DD (UTC); an allowance counts through its reviewBy day. */
export function judgeAudit(npmStdout: string, allowlist: readonly Allowance[], today: string): AuditVerdict {
  let report: NpmAuditReport;
  try {
    report = JSON.parse(npmStdout) as NpmAuditReport;
  } catch {
    const head = npmStdout.trim().slice(0, 300);
    return { kind: 'error', reason: `npm audit printed no JSON report${head ? `: ${head}` : ''}` };
  }
  if (report === null || typeof report !== 'object') {
    return { kind: 'error', reason: 'npm audit printed no JSON report' };
  }
  if (report.vulnerabilities === undefined) {
    const unreachable = unreachableReason(report);
    if (unreachable) return { kind: 'unreachable', ...unreachable };
    return {
      kind: 'error',
      reason: `npm audit's report has no vulnerabilities map: ${npmStdout.slice(0, 300)}`,
    };
  }
  const expired = allowlist.filter((a) => a.reviewBy < today);
  const current = allowlist.filter((a) => a.reviewBy >= today);
  const blocking: Advisory[] = [];
  const allowed: { advisory: Advisory; allowance: Allowance }[] = [];
  const used = new Set<Allowance>();
  for (const advisory of advisoriesOf(report)) {
    if (!BLOCKING_SEVERITIES.includes(advisory.severity)) continue;
    const allowance = current.find((a) => allows(a, advisory));
    if (allowance) {
      allowed.push({ advisory, allowance });
      used.add(allowance);
    } else {
      blocking.push(advisory);
    }
  }
  const unused = current.filter((a) => !used.has(a));
  if (blocking.length > 0 || expired.length > 0) return { kind: 'fail', blocking, expired, allowed, unused };
  return { kind: 'pass', allowed, unused };
}

export const EXIT = { pass: 0, fail: 1, error: 1, unreachable: 2 } as const;

function describeAdvisory(advisory: Advisory): string {
  const id = ghsaOf(advisory.url) ?? advisory.source;
  return `${advisory.severity} ${advisory.package} ${advisory.range} ${id}: ${advisory.title} (${advisory.url})`;
}

/** The lines to print for a verdict; the last one is the outcome. */
export function renderVerdict(verdict: AuditVerdict): string[] {
  switch (verdict.kind) {
    case 'unreachable':
      return [`npm said: ${verdict.npmSaid}`, `not checked: ${verdict.reason}`];
    case 'error':
      return [`FAILED: ${verdict.reason}`];
    case 'pass':
    case 'fail': {
      const lines = verdict.allowed.map(
        ({ advisory, allowance }) =>
          `allowed until ${allowance.reviewBy}: ${describeAdvisory(advisory)} — ${allowance.reason}`,
      );
      lines.push(
        ...verdict.unused.map((a) => `note: allowance ${a.id} (${a.package}) matches no advisory now`),
      );
      if (verdict.kind === 'pass') {
        lines.push(
          `passed: no high or critical advisory outside the allowlist (${verdict.allowed.length} allowed)`,
        );
        return lines;
      }
      lines.push(...verdict.blocking.map((a) => `NOT ALLOWED: ${describeAdvisory(a)}`));
      lines.push(
        ...verdict.expired.map(
          (a) => `EXPIRED: allowance ${a.id} (${a.package}) was to be reviewed by ${a.reviewBy}: ${a.reason}`,
        ),
      );
      lines.push(
        `FAILED: ${verdict.blocking.length} high/critical advisories not allowed, ${verdict.expired.length} allowances expired`,
      );
      return lines;
    }
  }
}

export function runAudit(cwd: string, today = new Date().toISOString().slice(0, 10)): number {
  const allowlist = parseAllowlist(fs.readFileSync(ALLOWLIST_FILE, 'utf8'));
  if (!Array.isArray(allowlist)) {
    console.log(`FAILED: ${allowlist.problem}`);
    return EXIT.error;
  }
  const npm = spawnSync('npm', ['audit', '--json', '--omit=dev'], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (npm.error) {
    console.log(`FAILED: npm audit did not run: ${npm.error.message}`);
    return EXIT.error;
  }
  // npm's own warnings ("npm warn audit 405 ...") say the same as the JSON; keep them visible.
  if (npm.stderr.trim()) process.stderr.write(npm.stderr);
  const verdict = judgeAudit(npm.stdout, allowlist, today);
  for (const line of renderVerdict(verdict)) console.log(line);
  return EXIT[verdict.kind];
}

if (require.main === module) {
  process.exitCode = runAudit(path.resolve(__dirname, '..'));
}
