/**
 * Uploads a bank statement file to POST /api/v1/bank-statements through the gateway, streaming it
 * with progress, and prints what was imported:
 *
 *   export DUEMAP_TOKEN=$(npm run -s token -- --role finance)
 *   npm run statements:import -- <file> [--format camt053|camt054|mt940|csv] [--layout boc|icbc|icbc-gbk|generic]
 *                                 [--url http://127.0.0.1:8080] [--token <bearer token>]
 *
 * Exits 0 when the file was imported (201) or held nothing new (200), 1 when it was refused (the
 * server's error, naming the line or element, is printed).
 */
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { extname } from 'node:path';
import { Transform } from 'node:stream';
import { parseArgs } from 'node:util';
import { csvLayout } from './parsing/csv-layouts';
import { isStatementFormat } from './parsing/statement-line';

class UsageError extends Error {}

/** The 200/201 body of POST /api/v1/bank-statements. */
interface ImportAnswer {
  id: string;
  format: string;
  layout: string | null;
  statements: number;
  accounts: string[];
  lines: number;
  credits: number;
  debits: number;
  candidates: number;
  duplicates: number;
  notCandidates: number;
}

function contentTypeOf(file: string, format: string | undefined): string {
  if (format === 'camt053' || format === 'camt054') return 'application/xml';
  if (format === 'csv') return 'text/csv';
  if (format === 'mt940') return 'text/plain';
  const ext = extname(file).toLowerCase();
  if (ext === '.xml') return 'application/xml';
  if (ext === '.csv') return 'text/csv';
  return 'text/plain';
}

function megabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(2);
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      layout: { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1)
    throw new UsageError('usage: npm run statements:import -- <file> [--format …] [--layout …]');
  if (values.format !== undefined && !isStatementFormat(values.format)) {
    throw new UsageError(`--format must be camt053, camt054, mt940 or csv, not ${values.format}`);
  }
  if (values.layout !== undefined && !csvLayout(values.layout)) {
    throw new UsageError(`--layout must be boc, icbc, icbc-gbk or generic, not ${values.layout}`);
  }
  const token = values.token ?? process.env.DUEMAP_TOKEN;
  if (!token) {
    throw new UsageError(
      'no token: pass --token or set DUEMAP_TOKEN, e.g. export DUEMAP_TOKEN=$(npm run -s token -- --role finance)',
    );
  }
  const size = statSync(file).size;
  const base = new URL(values.url ?? process.env.DUEMAP_URL ?? 'http://127.0.0.1:8080');
  const target = new URL('/api/v1/bank-statements', base);
  if (values.format) target.searchParams.set('format', values.format);
  if (values.layout) target.searchParams.set('layout', values.layout);

  let sent = 0;
  let shown = -1;
  const started = Date.now();
  const progress = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      sent += chunk.length;
      const percent = size === 0 ? 100 : Math.floor((sent / size) * 100);
      if (percent !== shown) {
        shown = percent;
        process.stderr.write(`\r${file}: ${percent}% (${megabytes(sent)} of ${megabytes(size)} MB sent)   `);
      }
      done(null, chunk);
    },
  });

  const transport = target.protocol === 'https:' ? https : http;
  const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = transport.request(
      target,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': contentTypeOf(file, values.format),
          'content-length': String(size),
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    createReadStream(file).on('error', reject).pipe(progress).pipe(req);
  });
  process.stderr.write('\n');
  const seconds = (Date.now() - started) / 1000;
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    parsed = answer.body;
  }
  if (answer.status === 201 || answer.status === 200) {
    const r = parsed as ImportAnswer;
    console.log(answer.status === 201 ? 'imported' : 'nothing new: every credit was imported before');
    console.log(
      `  id ${r.id}  format ${r.format}${r.layout ? ` (${r.layout})` : ''}  statements ${r.statements}  ` +
        `accounts ${r.accounts.join(', ')}`,
    );
    console.log(
      `  lines ${r.lines}: credits ${r.credits}, debits ${r.debits}; new candidates ${r.candidates}, ` +
        `duplicates ${r.duplicates}, not candidates ${r.notCandidates}`,
    );
    console.log(`  ${megabytes(size)} MB in ${seconds.toFixed(1)} s`);
    return 0;
  }
  console.error(`refused (${answer.status}):`);
  console.error(typeof parsed === 'string' ? parsed : JSON.stringify(parsed, null, 2));
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof UsageError ? err.message : err);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
