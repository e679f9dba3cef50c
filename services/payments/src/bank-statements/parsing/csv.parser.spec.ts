import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import type { CsvLayout } from './csv-layouts';
import { GENERIC_LAYOUT } from './csv-layouts';
import { parseCsv } from './csv.parser';
import { openStatement } from './parse-statement';
import type { StatementLine } from './statement-line';
import { chunked, fixture, readLines } from './testing/fixtures';

/** Row of a credit as the export shows it: file line, amount, date, payer, payer account, text. */
function row(line: StatementLine): unknown[] {
  return [
    line.position.line,
    line.amount.toString(),
    line.bookingDate,
    line.counterparty.name,
    line.counterparty.account ?? line.counterparty.iban,
    line.remittance,
  ];
}

async function collect(lines: AsyncIterable<StatementLine>): Promise<StatementLine[]> {
  const all: StatementLine[] = [];
  for await (const line of lines) all.push(line);
  return all;
}

// Written by reading the two exports (their rows with an income amount), not from the parser.
const BOC_CREDITS = [
  [5, '50.00 CNY', '2025-08-22', '支付宝-李四', '8000******1303', '网上快捷退款 支付宝-李四'],
  [14, '5771.00 CNY', '2025-08-05', '美金数据有限公司', '4520******1924', '工资'],
  [
    16,
    '3000.00 CNY',
    '2025-08-04',
    '支付宝-张三',
    '2088******0156',
    '网上快捷提现 支付宝-张三-张三支付宝余额提现-张三',
  ],
  [19, '1000.00 CNY', '2025-08-01', '张三', '6222******0258', '银联入账 转账'],
];
const ICBC_CREDITS = [
  [10, '1234.56 CNY', '2023-04-22', '李四', '1234****9876', '他行汇入'],
  [12, '1234.56 CNY', '2023-04-14', 'ABC公司', '1234****9876', '工资'],
  [14, '341.58 CNY', '2023-02-28', '支付宝（中国）网络技术有限公司', '1234****9876', '蚂蚁基金赎回到银行'],
  [16, '30.00 CNY', '2023-02-10', '总行信用卡合伙人', '1234****9876', '合伙人返现'],
  [18, '1.04 CNY', '2023-02-08', '深圳市财付通支付科技有限公司', '1234****9876', '退款'],
];

describe('CSV samples', () => {
  it('BOC: signed 金额, 人民币 as CNY, placeholders empty, 4 credits and 13 debits', async () => {
    const lines = await readLines('other/cn-boc-debit-card-export.csv');
    expect(lines.filter((l) => l.direction === 'credit').map(row)).toEqual(BOC_CREDITS);
    expect(lines.filter((l) => l.direction === 'debit')).toHaveLength(13);
    expect(lines[0]).toMatchObject({ format: 'csv', account: { number: '3167', currency: 'CNY' } });
    // "----------" in 附言 is no text; the debit's amount keeps its thousands: -2,600.00.
    expect(lines[0]?.remittance).toBe('无卡支付');
    expect(lines.find((l) => l.position.line === 10)?.amount.toString()).toBe('2600.00 CNY');
  });

  it('ICBC: preamble with the card number, income/expense columns, trailing delimiter, totals footer', async () => {
    const lines = await readLines('other/cn-icbc-debit-card-export-v2.csv');
    expect(lines.filter((l) => l.direction === 'credit').map(row)).toEqual(ICBC_CREDITS);
    expect(lines.filter((l) => l.direction === 'debit')).toHaveLength(6);
    expect(lines[0]).toMatchObject({
      statementId: 'icbc/1234****9876/2023-05-02',
      account: { number: '1234****9876' },
    });
  });

  it('ICBC in GBK, as real downloads are: detected and decoded by iconv-lite, the same rows', async () => {
    const gbk = iconv.encode(readFileSync(fixture('other/cn-icbc-debit-card-export-v2.csv'), 'utf8'), 'gbk');
    const parsed = await openStatement(chunked(gbk, 5));
    expect(parsed.layout).toBe('icbc-gbk');
    const lines = await collect(parsed.lines);
    expect(lines.filter((l) => l.direction === 'credit').map(row)).toEqual(ICBC_CREDITS);
  });

  it('a layout of one own: semicolons, decimal comma, DD.MM.YYYY, GB18030, rows skipped', async () => {
    const layout: CsvLayout = {
      ...GENERIC_LAYOUT,
      name: 'custom',
      encoding: 'gb18030',
      delimiter: ';',
      decimalComma: true,
      dateFormat: 'DD.MM.YYYY',
      skipLines: 1,
      defaultCurrency: 'EUR',
      columns: {
        bookingDate: 'Datum',
        amount: 'Betrag',
        payerName: 'Name',
        remittance: ['Zweck'],
        reference: 'Ref',
      },
    };
    const text =
      'Export 2024\nDatum;Betrag;Name;Zweck;Ref\n03.01.2024;1.234,50;深圳某某有限公司;RE 2024-001;RF18539007547034\n04.01.2024;-10,00;Bank;Gebühr;\n';
    const lines = await collect(parseCsv(chunked(iconv.encode(text, 'gb18030'), 3), layout));
    expect(lines.map(row)).toEqual([
      [3, '1234.50 EUR', '2024-01-03', '深圳某某有限公司', undefined, 'RE 2024-001'],
      [4, '10.00 EUR', '2024-01-04', 'Bank', undefined, 'Gebühr'],
    ]);
    expect(lines[0]?.references.creditorReference).toBe('RF18539007547034');
    expect(lines.map((l) => l.direction)).toEqual(['credit', 'debit']);
  });
});
