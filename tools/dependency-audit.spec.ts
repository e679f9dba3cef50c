import fs from 'node:fs';
import path from 'node:path';
import { EXIT, judgeAudit, parseAllowlist, renderVerdict, type Allowance } from './dependency-audit';

/** Recorded `npm audit --json --omit=dev` output (npm 11); refused-405 is this machine's registry. */
const sample = (name: string): string =>
  fs.readFileSync(path.join(__dirname, 'fixtures', 'npm-audit', `${name}.json`), 'utf8');

const TODAY = '2026-06-01';
const axios: Allowance = {
  id: 'GHSA-jr5f-v2jv-69x6',
  package: 'axios',
  reason: 'only the ERP client uses it, against fixed relative URLs',
  reviewBy: '2026-09-01',
};
const formData: Allowance = {
  id: '1106507',
  package: 'form-data',
  reason: 'boundaries of multipart bodies we never send',
  reviewBy: '2026-06-01',
};

describe('judgeAudit', () => {
  it('passes a report with no advisories', () => {
    const verdict = judgeAudit(sample('clean'), [], TODAY);
    expect(verdict).toEqual({ kind: 'pass', allowed: [], unused: [] });
    expect(EXIT[verdict.kind]).toBe(0);
    expect(renderVerdict(verdict).at(-1)).toMatch(/^passed:/);
  });

  it('fails on each high and critical advisory, not on a low one, naming them', () => {
    const verdict = judgeAudit(sample('vulnerable'), [], TODAY);
    expect(verdict.kind).toBe('fail');
    if (verdict.kind !== 'fail') return;
    // @example/erp-client is high only through axios ("via": ["axios"]): one advisory, not two.
    expect(verdict.blocking.map((a) => [a.package, a.severity, a.source])).toEqual([
      ['axios', 'high', '1103617'],
      ['form-data', 'critical', '1106507'],
    ]);
    expect(EXIT[verdict.kind]).toBe(1);
    const lines = renderVerdict(verdict);
    expect(lines).toContain(
      'NOT ALLOWED: high axios >=1.0.0 <1.8.2 GHSA-JR5F-V2JV-69X6: axios Requests Vulnerable To Possible SSRF and Credential Leakage via Absolute URL (https://github.com/advisories/GHSA-jr5f-v2jv-69x6)',
    );
    expect(lines.at(-1)).toBe('FAILED: 2 high/critical advisories not allowed, 0 allowances expired');
  });

  it('passes when every high and critical advisory is allowed (by GHSA id or npm id), printing why', () => {
    const verdict = judgeAudit(sample('vulnerable'), [axios, formData], TODAY);
    expect(verdict.kind).toBe('pass');
    const lines = renderVerdict(verdict);
    expect(lines).toEqual([
      expect.stringMatching(/^allowed until 2026-09-01: high axios .* — only the ERP client uses it/),
      expect.stringMatching(/^allowed until 2026-06-01: critical form-data .* — boundaries of multipart/),
      'passed: no high or critical advisory outside the allowlist (2 allowed)',
    ]);
  });

  it('matches an allowance by the GHSA url too, but only for the package it names', () => {
    const byUrl = { ...axios, id: 'https://github.com/advisories/GHSA-jr5f-v2jv-69x6' };
    const verdict = judgeAudit(sample('vulnerable'), [byUrl, { ...formData, package: 'formdata' }], TODAY);
    expect(verdict.kind).toBe('fail');
    if (verdict.kind !== 'fail') return;
    expect(verdict.allowed.map((a) => a.advisory.package)).toEqual(['axios']);
    expect(verdict.blocking.map((a) => a.package)).toEqual(['form-data']);
    expect(verdict.unused.map((a) => a.package)).toEqual(['formdata']);
  });

  it('fails on an allowance past its reviewBy day, whether or not the advisory is still there', () => {
    const late = { ...formData, reviewBy: '2026-05-31' };
    const verdict = judgeAudit(sample('vulnerable'), [axios, late], TODAY);
    expect(verdict.kind).toBe('fail');
    if (verdict.kind !== 'fail') return;
    expect(verdict.expired).toEqual([late]);
    expect(verdict.blocking.map((a) => a.package)).toEqual(['form-data']);
    expect(renderVerdict(verdict)).toContain(
      'EXPIRED: allowance 1106507 (form-data) was to be reviewed by 2026-05-31: boundaries of multipart bodies we never send',
    );
    expect(judgeAudit(sample('clean'), [late], TODAY).kind).toBe('fail');
  });

  it('says "not checked" with the status and message when the registry refuses the request', () => {
    const verdict = judgeAudit(sample('refused-405'), [], TODAY);
    expect(verdict).toEqual({
      kind: 'unreachable',
      reason: 'registry refused the advisory request (405)',
      npmSaid: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
    });
    expect(EXIT[verdict.kind]).toBe(2);
    expect(renderVerdict(verdict).at(-1)).toBe('not checked: registry refused the advisory request (405)');
  });

  it('says "not checked" with the network error when the registry cannot be reached', () => {
    const verdict = judgeAudit(sample('unreachable-network'), [], TODAY);
    expect(verdict).toMatchObject({
      kind: 'unreachable',
      reason: 'advisory service unreachable (ENOTFOUND)',
      npmSaid: expect.stringContaining('getaddrinfo ENOTFOUND registry.npmjs.org'),
    });
  });

  it('fails, rather than pass, on output that is neither a report nor an npm error', () => {
    expect(judgeAudit('npm ERR! something odd', [], TODAY)).toMatchObject({ kind: 'error' });
    expect(judgeAudit('{"auditReportVersion":2}', [], TODAY)).toMatchObject({ kind: 'error' });
    expect(EXIT.error).toBe(1);
  });
});

describe('parseAllowlist', () => {
  it('reads the repository allowlist', () => {
    const text = fs.readFileSync(path.join(__dirname, '..', 'audit-allowlist.json'), 'utf8');
    expect(Array.isArray(parseAllowlist(text))).toBe(true);
  });

  it('refuses an entry without a reason or with a bad date', () => {
    expect(parseAllowlist(JSON.stringify({ allow: [{ ...axios, reason: ' ' }] }))).toEqual({
      problem: 'audit-allowlist.json allow[0].reason must be a non-empty string',
    });
    expect(parseAllowlist(JSON.stringify({ allow: [{ ...axios, reviewBy: 'soon' }] }))).toEqual({
      problem: 'audit-allowlist.json allow[0].reviewBy must be a date YYYY-MM-DD',
    });
    expect(parseAllowlist('[]')).toEqual({ problem: 'audit-allowlist.json must be {"allow": [...]}' });
  });
});
