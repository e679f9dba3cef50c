import { readFileSync } from 'node:fs';
import { openStatement, type StatementParseOptions } from './parse-statement';
import { StatementErrorCode, StatementParseError } from './statement-parse.error';
import { chunked, fixture } from './testing/fixtures';

/** Parses to the end and returns the error it stops with. */
async function failure(text: string, options: StatementParseOptions = {}): Promise<StatementParseError> {
  try {
    const parsed = await openStatement(chunked(text), options);
    for await (const line of parsed.lines) void line;
  } catch (err) {
    if (err instanceof StatementParseError) return err;
    throw err;
  }
  throw new Error('the statement parsed without an error');
}

const camt = readFileSync(fixture('camt053/camt.053.001.08-synthetic-genkgo.xml'), 'utf8');
const camtLines = camt.split('\n');
const lineOf = (needle: string): number => camtLines.findIndex((l) => l.includes(needle)) + 1;
/** The camt sample with a change inside its entry (the balances before it have the same elements). */
const inEntry = (from: string, to: string): string => {
  const start = camt.indexOf('<Ntry>');
  return camt.slice(0, start) + camt.slice(start).replace(from, to);
};
const mt940 = readFileSync(fixture('mt940/mt940-nl-rabobank-structured.sta'), 'utf8');
const boc = readFileSync(fixture('other/cn-boc-debit-card-export.csv'), 'utf8');

describe('statements that cannot be imported', () => {
  it('a truncated camt file names the element it ends in', async () => {
    const err = await failure(camt.slice(0, camt.indexOf('<RmtInf>')));
    expect(err.code).toBe(StatementErrorCode.Truncated);
    expect(err.message).toMatch(/truncated/);
    expect(err.path).toBe('/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/NtryDtls/TxDtls[1]');
  });

  it('malformed XML names the line and column', async () => {
    const broken = camt.replace('<CdtDbtInd>CRDT</CdtDbtInd>', '<CdtDbtInd>CRDT</CdtDbInd>');
    const err = await failure(broken);
    expect(err.code).toBe(StatementErrorCode.MalformedXml);
    expect(err.line).toBe(lineOf('<CdtDbtInd>CRDT</CdtDbtInd>'));
    expect(err.column).toBeGreaterThan(0);
    expect(err.message).toMatch(/^line \d+, column \d+ .*not well-formed XML/);
  });

  it('an entry without Amt names the element path', async () => {
    const err = await failure(camt.replace(/<Amt Ccy="EUR">8\.85<\/Amt>\s*<CdtDbtInd>/, '<CdtDbtInd>'));
    expect(err.code).toBe(StatementErrorCode.MissingElement);
    expect(err.path).toBe('/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt');
    expect(err.message).toMatch(/Amt is missing/);
  });

  it('a currency that is not ISO 4217 is refused at its Amt', async () => {
    const err = await failure(camt.replace('<Amt Ccy="EUR">8.85</Amt>', '<Amt Ccy="XYZ">8.85</Amt>'));
    expect(err.code).toBe(StatementErrorCode.InvalidCurrency);
    expect(err.path).toBe('/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt');
    expect(err.line).toBe(lineOf('<Amt Ccy="EUR">8.85</Amt>'));
  });

  it('an amount that is not a decimal number is refused', async () => {
    const err = await failure(camt.replace('<Amt Ccy="EUR">8.85</Amt>', '<Amt Ccy="EUR">8,85</Amt>'));
    expect(err.code).toBe(StatementErrorCode.InvalidAmount);
    expect(err.message).toMatch(/"8,85"/);
  });

  it('a booking date that is not a calendar date is refused', async () => {
    const err = await failure(
      inEntry('<DtTm>2014-12-31T13:15:00+01:00</DtTm>', '<DtTm>2014-02-30T13:15:00+01:00</DtTm>'),
    );
    expect(err.code).toBe(StatementErrorCode.InvalidDate);
    expect(err.path).toBe('/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/BookgDt/DtTm');
    expect(err.message).toMatch(/"2014-02-30T13:15:00\+01:00" is not a calendar date/);
  });

  it('CdtDbtInd other than CRDT/DBIT is refused', async () => {
    const err = await failure(inEntry('<CdtDbtInd>CRDT</CdtDbtInd>', '<CdtDbtInd>CREDIT</CdtDbtInd>'));
    expect(err.code).toBe(StatementErrorCode.InvalidValue);
    expect(err.path).toBe('/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/CdtDbtInd');
  });

  it('a broken MT940 :61: names its line', async () => {
    const err = await failure(
      mt940.replace(':61:130403C000000000169,90N122NONREF', ':61:1304X3C000000000169,90N122NONREF'),
    );
    expect(err.code).toBe(StatementErrorCode.MalformedTag);
    expect(err.line).toBe(mt940.split('\n').findIndex((l) => l.startsWith(':61:130403C000000000169,90')) + 1);
    expect(err.message).toMatch(/^line \d+: :61:/);
  });

  it('an MT940 balance with a bad currency is refused', async () => {
    const err = await failure(mt940.replace(':60F:C130402EUR', ':60F:C130402EU1'));
    expect(err.code).toBe(StatementErrorCode.MalformedTag);
    expect(err.line).toBe(5);
  });

  it('a truncated MT940 file (no closing balance) is refused', async () => {
    const err = await failure(mt940.slice(0, mt940.lastIndexOf(':62F:')));
    expect(err.code).toBe(StatementErrorCode.Truncated);
  });

  it('a CSV row with a wrong column count names its line', async () => {
    const lines = boc.split('\n');
    lines[4] = lines[4]?.replace(',3167', '') ?? '';
    const err = await failure(lines.join('\n'));
    expect(err.code).toBe(StatementErrorCode.ColumnCount);
    expect(err.line).toBe(5);
    expect(err.message).toBe('line 5: the row has 12 columns, the header has 13');
  });

  it('a CSV amount that is not a number names line and column', async () => {
    const err = await failure(boc.replace('5,771.00', '5,77x.00'));
    expect(err.code).toBe(StatementErrorCode.InvalidAmount);
    expect(err.line).toBe(14);
    expect(err.column).toBe(4);
  });

  it('a file of no known format, and an empty one, are refused', async () => {
    expect((await failure('hello')).code).toBe(StatementErrorCode.UnknownFormat);
    expect((await failure('<html><body/></html>')).code).toBe(StatementErrorCode.UnknownFormat);
    expect((await failure('')).code).toBe(StatementErrorCode.Empty);
  });

  it('a camt file forced to be read as MT940 finds no tags', async () => {
    expect((await failure(camt, { format: 'mt940' })).code).toBe(StatementErrorCode.Empty);
  });
});
