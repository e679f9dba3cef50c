import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { identityHeaders, startServiceUnderTest, type ServiceUnderTest } from '@duemap/testing';
import type { ErrorBody } from '@duemap/http';
import { AppModule } from '../src/app.module';
import type { BankStatementView } from '../src/bank-statements/usecases/get-bank-statement.usecase';
import { paymentsConfig, type PaymentsConfig } from '../src/config';
import { dataSourceOptions } from '../src/database/data-source';

const FIXTURES = process.env.BANK_STATEMENT_FIXTURES ?? '/work/shared/fixtures/bank-statements';
const sample = (relative: string): Buffer => readFileSync(join(FIXTURES, relative));
/** Small, so that the 413 tests need no large body; the samples are at most 80 KB. */
const MAX_BYTES = 256 * 1024;

interface ImportBody {
  id: string;
  format: string;
  layout: string | null;
  statements: number;
  lines: number;
  credits: number;
  debits: number;
  candidates: number;
  duplicates: number;
  notCandidates: number;
}

type Answer<T> = { status: number; body: T & ErrorBody };

describe('bank statement import (POST/GET /api/v1/bank-statements)', () => {
  let service: ServiceUnderTest<PaymentsConfig>;

  beforeAll(async () => {
    service = await startServiceUnderTest({
      service: 'payments',
      schema: paymentsConfig,
      // Cash application off: these specs look at the import itself (lines stay 'unmatched');
      // cash-application.int-spec.ts follows the lines on into payments.
      env: {
        LOG_LEVEL: 'silent',
        BANK_STATEMENT_MAX_BYTES: String(MAX_BYTES),
        CASH_APPLICATION_INTERVAL: '0ms',
      },
      dataSource: dataSourceOptions,
      module: (config, logger) => AppModule.register(config, logger),
    });
  });

  afterAll(async () => {
    await service?.close();
  });

  async function upload(
    body: Buffer | string,
    contentType = 'application/xml',
    query = '',
    roles: ('admin' | 'finance' | 'viewer')[] = ['finance'],
  ): Promise<Answer<ImportBody>> {
    const res = await fetch(`${service.url}/api/v1/bank-statements${query}`, {
      method: 'POST',
      headers: { ...(await identityHeaders({ roles })), 'content-type': contentType },
      body,
    });
    return { status: res.status, body: (await res.json()) as ImportBody & ErrorBody };
  }

  async function read(id: string, query = ''): Promise<Answer<BankStatementView>> {
    const res = await fetch(`${service.url}/api/v1/bank-statements/${id}${query}`, {
      headers: await identityHeaders({ roles: ['viewer'] }),
    });
    return { status: res.status, body: (await res.json()) as BankStatementView & ErrorBody };
  }

  async function tableCounts(): Promise<{ statements: number; lines: number }> {
    const { rows } = await service.sql.query<{ statements: string; lines: string }>(
      `SELECT (SELECT count(*) FROM bank_statements) AS statements, (SELECT count(*) FROM bank_statement_lines) AS lines`,
    );
    return { statements: Number(rows[0]?.statements), lines: Number(rows[0]?.lines) };
  }

  it('imports a camt.053 file: batch transactions one candidate each, debits kept but not candidates', async () => {
    const answer = await upload(sample('camt053/camt.053.001.02-nl-abnamro-sample.xml'));
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      format: 'camt053',
      statements: 1,
      lines: 29,
      credits: 22,
      debits: 7,
      candidates: 22,
      duplicates: 0,
      notCandidates: 7,
    });
    const stored = await read(answer.body.id, '?limit=5');
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ id: answer.body.id, candidates: 22, importedBy: 'test-finance' });
    expect(stored.body.items.map((l) => [l.lineNo, l.direction, l.status])).toEqual([
      [1, 'credit', 'unmatched'],
      [2, 'credit', 'unmatched'],
      [3, 'credit', 'unmatched'],
      [4, 'credit', 'unmatched'],
      [5, 'credit', 'unmatched'],
    ]);
    expect(stored.body.items[1]).toMatchObject({
      amount: { amount: '1.00', currency: 'EUR' },
      payer: { name: 'NAAM', iban: 'NL46ABNA0499998748' },
      remittance: 'OMSCHRIJVING',
      source: { path: '/Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/NtryDtls/TxDtls[1]' },
    });
    expect(stored.body.nextCursor).toBe('5');
    const next = await read(answer.body.id, `?cursor=${stored.body.nextCursor}&limit=1000`);
    expect(next.body.items).toHaveLength(24);
    expect(next.body.nextCursor).toBeNull();
    expect(next.body.items.filter((l) => l.status === 'not_candidate').map((l) => l.reason)).toEqual(
      Array(7).fill('debit'),
    );
  });

  it('a re-upload of the same file stores nothing and answers 200 with the duplicates', async () => {
    const first = await upload(sample('mt940/mt940-de-volksbanken-raiffeisenbanken-sepa.sta'), 'text/plain');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ format: 'mt940', statements: 8, candidates: 12, duplicates: 0 });
    const before = await tableCounts();
    const again = await upload(sample('mt940/mt940-de-volksbanken-raiffeisenbanken-sepa.sta'), 'text/plain');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.body.id, candidates: 0, duplicates: 12 });
    expect(await tableCounts()).toEqual(before);
  });

  it('lines seen before inside a new file are duplicates; the new ones are candidates', async () => {
    const icbc = sample('other/cn-icbc-debit-card-export-v2.csv').toString('utf8');
    const first = await upload(icbc, 'text/csv');
    expect(first.body).toMatchObject({ layout: 'icbc', candidates: 5, debits: 6 });
    // The same statement downloaded again a day later: one more credit at its end, five known ones.
    const extended = icbc.replace(
      /\n \n人民币合计/,
      '\n2023-02-01     \t,"他行汇入\t","\t","\t","CHN\t",钞\t,"-\t","-\t",-\t,"88.00\t","\t",人民币\t,"xx\t","王五\t","1234****9876\t",\n \n人民币合计',
    );
    expect(extended).not.toBe(icbc);
    const second = await upload(extended, 'text/csv');
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ candidates: 1, duplicates: 5 });
    const lines = await read(second.body.id, '?limit=1000');
    expect(
      lines.body.items.filter((l) => l.status === 'duplicate').every((l) => l.duplicateOf === first.body.id),
    ).toBe(true);
    expect(lines.body.items.find((l) => l.status === 'unmatched')).toMatchObject({
      amount: { amount: '88.00', currency: 'CNY' },
      payer: { name: '王五' },
    });
  });

  it('a truncated or schema-invalid file is refused with 422 naming where, and nothing of it is stored', async () => {
    const before = await tableCounts();
    const xml = sample('camt053/camt.053.001.04-ch-postfinance-sample.xml').toString('utf8');
    const truncated = await upload(xml.slice(0, Math.floor(xml.length * 0.9)));
    expect(truncated.status).toBe(422);
    expect(truncated.body.error.code).toBe('STATEMENT_TRUNCATED');
    expect(truncated.body.error.message).toMatch(
      /^line \d+, column \d+ \(\/Document\/BkToCstmrStmt\/Stmt\[1\]\/Ntry\[\d+\]/,
    );
    // The last entry's currency is bad: every line before it had been staged already.
    // The amount of the last entry itself (charges inside it have amounts of their own).
    const last = xml.indexOf('<Amt Ccy="CHF">', xml.lastIndexOf('<Ntry>'));
    const invalid = await upload(
      `${xml.slice(0, last)}<Amt Ccy="CHX">${xml.slice(last + '<Amt Ccy="CHF">'.length)}`,
    );
    expect(invalid.status).toBe(422);
    expect(invalid.body.error).toMatchObject({ code: 'INVALID_CURRENCY' });
    expect(invalid.body.error.details[0]?.field).toMatch(/^\/Document\/BkToCstmrStmt\/Stmt\[1\]\/Ntry\[13\]/);
    const csv = await upload('booking_date,amount,currency\n2024-01-02,10.00,EUR,extra\n', 'text/csv');
    expect(csv.status).toBe(422);
    expect(csv.body.error).toMatchObject({
      code: 'WRONG_COLUMN_COUNT',
      message: 'line 2: the row has 4 columns, the header has 3',
    });
    expect(await tableCounts()).toEqual(before);
  });

  it('a body over the limit gets 413: by Content-Length before it is read, or while a chunked one streams', async () => {
    const before = await tableCounts();
    const headers = { ...(await identityHeaders({ roles: ['finance'] })), 'content-type': 'application/xml' };
    // Declares 1 GB and sends nothing of it: the answer must not wait for the body.
    const declared = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        `${service.url}/api/v1/bank-statements`,
        { method: 'POST', headers: { ...headers, 'content-length': String(1024 ** 3) } },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString('utf8')));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(declared).toMatchObject({ status: 413 });
    expect(JSON.parse(declared.body)).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    // No Content-Length: the body streams in 8 KB chunks until the server answers.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        `${service.url}/api/v1/bank-statements`,
        { method: 'POST', headers },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) =>
        err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err),
      );
      const chunk = Buffer.from(`<!--${'x'.repeat(8 * 1024 - 7)}-->`);
      let sent = 0;
      const pump = (): void => {
        while (sent < 4 * MAX_BYTES) {
          sent += chunk.length;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      req.write('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>');
      pump();
    });
    expect(chunked).toBe(413);
    expect(await tableCounts()).toEqual(before);
  });

  it('refuses what is not a statement upload with 400 naming the field, and unknown ids with 404', async () => {
    const json = await upload('{"a":1}', 'application/json');
    expect(json.status).toBe(400);
    expect(json.body.error.details[0]?.field).toBe('content-type');
    const format = await upload('x', 'text/plain', '?format=pdf');
    expect(format.status).toBe(400);
    expect(JSON.stringify(format.body.error.details)).toMatch(/format/);
    const layout = await upload('x', 'text/csv', '?layout=hsbc');
    expect(layout.status).toBe(400);
    expect((await read('00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await read('not-a-uuid')).status).toBe(404);
    expect((await read('00000000-0000-4000-8000-000000000000', '?cursor=abc')).status).toBe(400);
  });

  it('honours ?format= and ?layout=: a BOC export named explicitly', async () => {
    const answer = await upload(
      sample('other/cn-boc-debit-card-export.csv'),
      'text/csv',
      '?format=csv&layout=boc',
    );
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      format: 'csv',
      layout: 'boc',
      credits: 4,
      debits: 13,
      candidates: 4,
    });
  });

  it('npm run statements:import streams a file with progress and prints the summary; a refusal exits 1', async () => {
    // Stands in for the gateway: a bearer token in, the signed identity out, the body piped through.
    const gateway = http.createServer((req, res) => {
      void identityHeaders({ roles: ['finance'], subject: 'cli-user' }).then((identity) => {
        if (req.headers.authorization !== 'Bearer cli-token') {
          res.writeHead(401).end('{"error":{"code":"UNAUTHENTICATED","message":"no token","details":[]}}');
          return;
        }
        const target = new URL(req.url ?? '/', service.url);
        const headers = { ...req.headers, ...identity };
        delete headers.authorization;
        // A connection of its own: the shared agent may hold one the service closed after an
        // earlier test's refused upload.
        const upstream = http.request(target, { method: req.method, headers, agent: false }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        // A reset reaches the CLI as a 502, never as a stand-in that hangs.
        upstream.on('error', () => {
          if (!res.headersSent) res.writeHead(502);
          res.end();
        });
        req.pipe(upstream);
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
    const cli = join(__dirname, '../src/bank-statements/bank-statements.cli.ts');
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', cli, ...args, '--url', url], {
        env: { ...process.env, DUEMAP_TOKEN: 'cli-token' },
      }).then(
        (out) => ({ code: 0, ...out }),
        (err: { code: number; stdout: string; stderr: string }) => ({
          code: err.code,
          stdout: err.stdout,
          stderr: err.stderr,
        }),
      );
    try {
      const file = join(FIXTURES, 'camt053/camt.053.001.04-ch-postfinance-sample.xml');
      const imported = await run(file);
      expect(imported.code).toBe(0);
      expect(imported.stderr).toMatch(/100% \(0\.05 of 0\.05 MB sent\)/);
      expect(imported.stdout).toMatch(/^imported\n/);
      expect(imported.stdout).toMatch(
        /lines 32: credits 24, debits 8; new candidates 24, duplicates 0, not candidates 8/,
      );
      const again = await run(file, '--format', 'camt053');
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/nothing new/);
      expect(again.stdout).toMatch(/duplicates 24/);
      const wrong = await run(join(FIXTURES, 'other/cn-boc-debit-card-export.csv'), '--format', 'mt940');
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/refused \(422\)/);
      const usage = await run(file, '--layout', 'hsbc');
      expect(usage.code).toBe(2);
      expect(usage.stderr).toMatch(/--layout must be/);
    } finally {
      gateway.closeAllConnections();
      await new Promise((resolve) => gateway.close(resolve));
    }
  });
});
