/** How the dates of a CSV layout are written. */
export type CsvDateFormat =
  'YYYY-MM-DD' | 'YYYYMMDD' | 'YYYY/MM/DD' | 'DD.MM.YYYY' | 'DD/MM/YYYY' | 'MM/DD/YYYY';

/**
 * A bank's CSV export, described by its header names rather than column positions: exports move
 * columns between versions but keep the names. Either `amount` (signed: negative is a debit) or
 * `credit`/`debit` (two unsigned columns) gives the amount.
 */
export interface CsvLayout {
  name: string;
  /** utf8, gbk, gb18030, latin1 … (iconv-lite names). */
  encoding: string;
  delimiter: string;
  /** "1.234,56" instead of "1,234.56". */
  decimalComma: boolean;
  dateFormat: CsvDateFormat;
  /** The header is the first row (after `skipLines`) that has this column; rows above it are preamble. */
  columns: {
    bookingDate: string;
    valueDate?: string;
    amount?: string;
    credit?: string;
    debit?: string;
    currency?: string;
    payerName?: string;
    payerAccount?: string;
    /** Joined with a space: several columns carry the purpose (摘要 and 附言). */
    remittance?: string[];
    reference?: string;
    bankTransactionId?: string;
    account?: string;
  };
  /** Currency of rows without a currency column. */
  defaultCurrency?: string;
  /** Lines skipped before looking for the header. */
  skipLines: number;
  /** Most preamble lines searched for the header before the file is refused. */
  maxPreambleLines: number;
  /** Cells meaning "empty" (BOC writes "-------------------", ICBC "-"). */
  placeholders: RegExp;
  /** A first cell that ends the data (ICBC's "人民币合计" totals line). */
  footer?: RegExp;
  /** Rows end with the delimiter, giving one empty cell more than the header has (ICBC). */
  trailingDelimiter: boolean;
  /** The statement's account, read from a preamble line (ICBC "卡号: 1234****9876"). */
  accountInPreamble?: RegExp;
}

/** Chinese currency names in exports, to ISO 4217. */
export const CURRENCY_NAMES: Readonly<Record<string, string>> = {
  人民币: 'CNY',
  RMB: 'CNY',
  美元: 'USD',
  欧元: 'EUR',
  港币: 'HKD',
  港元: 'HKD',
  日元: 'JPY',
  英镑: 'GBP',
};

/** Bank of China debit-card "交易流水明细单": a title line, a signed 金额 column. */
export const BOC_LAYOUT: CsvLayout = {
  name: 'boc',
  encoding: 'utf8',
  delimiter: ',',
  decimalComma: false,
  dateFormat: 'YYYY-MM-DD',
  columns: {
    bookingDate: '记账日期',
    amount: '金额',
    currency: '币别',
    payerName: '对方账户名',
    payerAccount: '对方卡号/账号',
    remittance: ['交易名称', '附言'],
    account: '借记卡号',
  },
  skipLines: 0,
  maxPreambleLines: 20,
  placeholders: /^-+$/,
  trailingDelimiter: false,
};

/** ICBC "明细查询文件下载": card number in the preamble, 记账金额(收入)/(支出), a totals footer. */
export const ICBC_LAYOUT: CsvLayout = {
  name: 'icbc',
  encoding: 'utf8',
  delimiter: ',',
  decimalComma: false,
  dateFormat: 'YYYY-MM-DD',
  columns: {
    bookingDate: '交易日期',
    credit: '记账金额(收入)',
    debit: '记账金额(支出)',
    currency: '记账币种',
    payerName: '对方户名',
    payerAccount: '对方账户',
    remittance: ['摘要', '交易详情'],
  },
  skipLines: 0,
  maxPreambleLines: 20,
  placeholders: /^-+$/,
  footer: /合计$/,
  trailingDelimiter: true,
  accountInPreamble: /^卡号[:：]\s*(\S+)/,
};

/** ICBC's real downloads are usually GBK-encoded: the same layout, decoded by iconv-lite. */
export const ICBC_GBK_LAYOUT: CsvLayout = { ...ICBC_LAYOUT, name: 'icbc-gbk', encoding: 'gbk' };

/**
 * A plain layout for anything else: a header row `booking_date,value_date,amount,currency,
 * payer_name,payer_account,remittance,reference,bank_transaction_id`, signed amounts.
 */
export const GENERIC_LAYOUT: CsvLayout = {
  name: 'generic',
  encoding: 'utf8',
  delimiter: ',',
  decimalComma: false,
  dateFormat: 'YYYY-MM-DD',
  columns: {
    bookingDate: 'booking_date',
    valueDate: 'value_date',
    amount: 'amount',
    currency: 'currency',
    payerName: 'payer_name',
    payerAccount: 'payer_account',
    remittance: ['remittance'],
    reference: 'reference',
    bankTransactionId: 'bank_transaction_id',
    account: 'account',
  },
  skipLines: 0,
  maxPreambleLines: 5,
  placeholders: /^$/,
  trailingDelimiter: false,
};

export const CSV_LAYOUTS: Readonly<Record<string, CsvLayout>> = {
  boc: BOC_LAYOUT,
  icbc: ICBC_LAYOUT,
  'icbc-gbk': ICBC_GBK_LAYOUT,
  generic: GENERIC_LAYOUT,
};

export function csvLayout(name: string): CsvLayout | undefined {
  return Object.prototype.hasOwnProperty.call(CSV_LAYOUTS, name) ? CSV_LAYOUTS[name] : undefined;
}
