import type { Money } from '@duemap/money';
import {
  realReference,
  type ByteSource,
  type Counterparty,
  type ParseOptions,
  type StatementAccount,
  type StatementLine,
  type StatementReferences,
} from './statement-line';
import { StatementErrorCode, StatementParseError } from './statement-parse.error';
import { textLines, type TextLine } from './text-lines';
import { entryDateNear, isIban, parseAmount, parseYymmdd } from './values';

/** A tag with its content lines: `:61:` and the lines up to the next tag. */
interface Field {
  tag: string;
  line: number;
  lines: string[];
}

/** `:61:` — value date, entry date, mark, funds code, amount, type, references. */
const STATEMENT_LINE =
  /^([0-9]{6})([0-9]{4})?(RC|RD|C|D)([A-Z])?([0-9]+,[0-9]*)([NFS][A-Z0-9]{3})([^/]*?)(?:\/\/(.*))?$/;
/** `:60F:` / `:62F:` and friends: mark, date, currency, amount. */
const BALANCE = /^(C|D)([0-9]{6})([A-Z]{3})([0-9]+,[0-9]*)$/;

function malformed(field: Field, detail: string, line = field.line): never {
  throw new StatementParseError(StatementErrorCode.MalformedTag, `:${field.tag}: ${detail}`, line);
}

/** `:25:` — "NL68INGB0000012345EUR" (IBAN and currency run together), "233025/40069462", an IBAN. */
export function accountOf(raw: string): StatementAccount {
  const value = raw.trim().replace(/\s+/g, '');
  const withCurrency = /^(.+?)([A-Z]{3})$/.exec(value);
  if (withCurrency?.[1] && isIban(withCurrency[1]))
    return { iban: withCurrency[1], currency: withCurrency[2] };
  if (isIban(value)) return { iban: value };
  return { number: value };
}

/** The SEPA keys German banks write in ?20-?29 / ?60-?63 (DFÜ-Abkommen, Anlage 3). */
const SEPA_KEYS = ['EREF', 'KREF', 'MREF', 'CRED', 'DEBT', 'COAM', 'OAMT', 'SVWZ', 'ABWA', 'ABWE', 'PURP'];
/** The SEPA keys, and Dresdner Bank's older "MTLG:" (Mitteilung, the payer's message). */
const SEPA_KEY = new RegExp(`((?:${SEPA_KEYS.join('|')})(?=\\+)|MTLG(?=:))[+:]`, 'g');

interface Details {
  counterparty: Counterparty;
  remittance: string;
  references: StatementReferences;
  bankText?: string;
}

/**
 * German :86: with `?NN` subfields (GVC first): ?00 booking text, ?20-?29 and ?60-?63 the purpose
 * (with SEPA keys EREF+, KREF+, MREF+, SVWZ+ …), ?30 BIC, ?31 IBAN or account, ?32-?33 name.
 * Subfield texts are joined without a separator: banks cut words at the 27-character subfield end.
 */
function germanDetails(text: string): Details {
  const gvc = text.slice(0, 3);
  const fields = new Map<string, string>();
  const order: string[] = [];
  // Only the subfield numbers the layout defines split the text: "?96" inside a purpose is text.
  // ?70-?79 are Dresdner Bank's (the beneficiary's name); they are read past, not used.
  const subfields =
    /\?(00|10|2[0-9]|3[0-4]|6[0-3]|7[0-9])((?:[^?]|\?(?!00|10|2[0-9]|3[0-4]|6[0-3]|7[0-9]))*)/g;
  for (const match of text.slice(3).matchAll(subfields)) {
    const [, key = '', value = ''] = match;
    fields.set(key, (fields.get(key) ?? '') + value);
    order.push(key);
  }
  const purposeKeys = order.filter((k) => (k >= '20' && k <= '29') || (k >= '60' && k <= '63'));
  const purpose = [...new Set(purposeKeys)].map((k) => fields.get(k) ?? '').join('');
  const references: StatementReferences = {};
  const free: string[] = [];
  // Text before the first key, and text of old-style subfields (MTLG: …), is the remittance.
  const parts = purpose.split(SEPA_KEY);
  if (parts[0]?.trim()) free.push(parts[0].trim());
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const key = parts[i] ?? '';
    const value = (parts[i + 1] ?? '').trim();
    switch (key) {
      case 'EREF': {
        const eref = realReference(value);
        if (eref) references.endToEndId = eref;
        break;
      }
      case 'MREF':
        if (value) references.mandateId = value;
        break;
      case 'KREF': {
        const kref = realReference(value);
        if (kref) references.entryRef ??= kref;
        break;
      }
      case 'SVWZ':
      case 'MTLG':
        free.push(value);
        break;
      default:
        break;
    }
  }
  const counterparty: Counterparty = {};
  const bic = fields.get('30')?.trim();
  if (bic) counterparty.bic = bic;
  const account = fields.get('31')?.trim();
  if (account) {
    if (isIban(account)) counterparty.iban = account;
    else counterparty.account = account;
  }
  const name = ((fields.get('32') ?? '') + (fields.get('33') ?? '')).trim();
  if (name) counterparty.name = name;
  const bookingText = fields.get('00')?.trim();
  const details: Details = { counterparty, remittance: free.join(' '), references };
  details.bankText = bookingText ? `${gvc} ${bookingText}` : gvc;
  return details;
}

/** The Dutch structured keys (ING, Rabobank, ABN AMRO): `/NAME/…/REMI/…/EREF/…`. */
const DUTCH_KEYS = [
  'TRTP',
  'IBAN',
  'BIC',
  'NAME',
  'REMI',
  'EREF',
  'ORDP',
  'BENM',
  'ADDR',
  'ISDT',
  'CNTP',
  'MARF',
  'CSID',
  'RTRN',
  'PREF',
  'ID',
  'BUSP',
  'PURP',
  'ULTC',
  'ULTD',
  'ULTB',
  'SUM',
  'TRCD',
  'FX',
];
const DUTCH_KEY = new RegExp(`/(${DUTCH_KEYS.join('|')})/`, 'g');

/**
 * Dutch structured :86:. A key starts where `/KEY/` appears; its value runs to the next key, without
 * the slash that ends it. ING's /CNTP/ holds account/BIC/name/city and /REMI/ says USTD// (text) or
 * STRD/CUR/ (a creditor reference).
 */
function dutchDetails(text: string): Details {
  const values = new Map<string, string>();
  const positions = [...text.matchAll(DUTCH_KEY)];
  for (let i = 0; i < positions.length; i += 1) {
    const match = positions[i];
    if (!match || match.index === undefined) continue;
    const key = match[1] ?? '';
    const start = match.index + match[0].length;
    const end = positions[i + 1]?.index ?? text.length;
    // A value ends with the slash of the next key; a last one may end with a closing slash.
    let value = text.slice(start, end);
    if (i + 1 === positions.length) value = value.replace(/\/+$/, '');
    if (!values.has(key)) values.set(key, value);
  }
  const counterparty: Counterparty = {};
  const references: StatementReferences = {};
  const cntp = values.get('CNTP');
  if (cntp !== undefined) {
    const [account = '', bic = '', name = ''] = cntp.split('/');
    if (account) {
      if (isIban(account)) counterparty.iban = account;
      else counterparty.account = account;
    }
    if (bic) counterparty.bic = bic;
    if (name.trim()) counterparty.name = name.trim();
  }
  const iban = values.get('IBAN')?.trim();
  if (iban) counterparty.iban = iban;
  const bic = values.get('BIC')?.trim();
  if (bic) counterparty.bic = bic;
  const name = values.get('NAME')?.trim();
  if (name) counterparty.name = name;
  const eref = realReference(values.get('EREF'));
  if (eref) references.endToEndId = eref;
  let remittance = values.get('REMI') ?? '';
  if (remittance.startsWith('USTD//')) remittance = remittance.slice('USTD//'.length).replace(/\/$/, '');
  const structured = /^STRD\/CUR\/(.*?)\/?$/.exec(remittance);
  if (structured?.[1]) {
    references.creditorReference = structured[1];
    remittance = '';
  }
  const details: Details = { counterparty, remittance: remittance.trim(), references };
  const type = values.get('TRTP')?.trim();
  if (type) details.bankText = type;
  return details;
}

/** ABN AMRO's older fixed-column layout: "SEPA IDEAL  IBAN: … BIC: … NAAM: … OMSCHRIJVING: … KENMERK: …". */
function columnDetails(lines: string[]): Details {
  const text = lines.map((l) => l.trimEnd()).join(' ');
  const keys = [
    'IBAN',
    'BIC',
    'NAAM',
    'OMSCHRIJVING',
    'KENMERK',
    'BETALINGSKENM.',
    'ID DEBITEUR',
    'MACHTIGING',
  ];
  const pattern = new RegExp(`(${keys.map((k) => k.replace('.', '\\.')).join('|')}):`, 'g');
  const found = [...text.matchAll(pattern)];
  const values = new Map<string, string>();
  found.forEach((match, i) => {
    const start = (match.index ?? 0) + match[0].length;
    const end = found[i + 1]?.index ?? text.length;
    values.set(match[1] ?? '', text.slice(start, end).trim());
  });
  const counterparty: Counterparty = {};
  const iban = values.get('IBAN');
  if (iban) counterparty.iban = iban;
  const bic = values.get('BIC');
  if (bic) counterparty.bic = bic;
  const name = values.get('NAAM');
  if (name) counterparty.name = name;
  const references: StatementReferences = {};
  const kenmerk = values.get('BETALINGSKENM.');
  if (kenmerk) references.creditorReference = kenmerk;
  const details: Details = { counterparty, remittance: values.get('OMSCHRIJVING') ?? '', references };
  const head = found[0]?.index;
  const bankText = text.slice(0, head ?? text.length).trim();
  if (bankText) details.bankText = bankText;
  const reference = values.get('KENMERK');
  if (reference) details.remittance = [details.remittance, reference].filter(Boolean).join(' ');
  return details;
}

/** Free text, as PostFinance writes it: "… AUFTRAGGEBER: <name, address> MITTEILUNGEN: <text>". */
function freeDetails(text: string): Details {
  const payer = /AUFTRAGGEBER:\s*(.*?)\s*(?:MITTEILUNGEN:|$)/.exec(text);
  const message = /MITTEILUNGEN:\s*(.*)$/.exec(text);
  const counterparty: Counterparty = {};
  if (payer?.[1]) counterparty.name = payer[1];
  const head = text.search(/AUFTRAGGEBER:|MITTEILUNGEN:/);
  const details: Details = { counterparty, remittance: message?.[1]?.trim() ?? '', references: {} };
  const bankText = (head >= 0 ? text.slice(0, head) : text).trim();
  if (bankText) details.bankText = bankText;
  if (head < 0) details.remittance = text.trim();
  return details;
}

/**
 * What a :86: says, by its layout. Lines are joined without a separator (SWIFT lines carry no
 * spaces of their own: banks cut at a fixed width, mid-word), except ABN AMRO's column layout.
 */
export function detailsOf(lines: string[]): Details {
  const joined = lines.join('');
  if (/^[0-9]{3}\?/.test(joined)) return germanDetails(joined);
  if (/^\/[A-Z]{2,4}\//.test(joined)) return dutchDetails(joined);
  if (/^[A-Z][A-Z -]+ {2,}(IBAN|BIC|NAAM):/.test(lines[0] ?? '')) return columnDetails(lines);
  return freeDetails(joined);
}

interface Statement {
  reference: string;
  sequence: string;
  account?: StatementAccount;
  currency?: string;
  openingDate?: string;
}

interface OpenLine {
  field: Field;
  details?: Field;
}

/**
 * Streams a SWIFT MT940 file line by line: several messages, the SWIFT envelope ({1:}{2:}{4: … -})
 * with or without SOH/ETX bytes, bank header lines (ABN AMRO's "ABNANL2A / 940"), German ?NN and
 * Dutch /KEY/ :86: details. Only the current statement line is held.
 */
export async function* parseMt940(
  source: ByteSource,
  options: ParseOptions & { encoding?: string } = {},
): AsyncGenerator<StatementLine> {
  let statement: Statement | undefined;
  let field: Field | undefined;
  let open: OpenLine | undefined;
  let entryIndex = 0;
  let emitted = 0;
  let lastLine = 0;
  let sawAnyTag = false;
  /** After :62F:/:62M: a :86: belongs to the statement, not to a line. */
  let afterClosing = false;
  /** The current statement has its closing balance: a file may end here. */
  let closed = true;

  const statementId = (s: Statement): string =>
    [s.reference, s.sequence, s.openingDate].filter((p) => p !== undefined && p !== '').join('/');

  const lineOf = (item: OpenLine): StatementLine => {
    const f = item.field;
    const content = f.lines[0] ?? '';
    const match = STATEMENT_LINE.exec(content);
    if (!match) {
      malformed(
        f,
        `"${content}" is not a statement line (YYMMDD[MMDD]C|D|RC|RD amount,decimals Nxxx reference)`,
      );
    }
    if (!statement) malformed(f, 'a statement line before the :20: that starts its statement');
    const [, value = '', entry, mark = '', , rawAmount = '', type = '', customerRef = '', bankRef] = match;
    const valueDate = parseYymmdd(value, { line: f.line });
    const bookingDate = entry ? entryDateNear(valueDate, entry, { line: f.line }) : valueDate;
    const currency = statement.currency;
    if (!currency)
      malformed(f, 'the statement has no :60F: or :60M: opening balance to take the currency from');
    const amount: Money = parseAmount(rawAmount, currency, { line: f.line }, true);
    const details = item.details ? detailsOf(item.details.lines) : undefined;
    const references: StatementReferences = { ...details?.references };
    const entryRef = realReference(customerRef);
    if (entryRef) references.entryRef = entryRef;
    const bankTransactionId = realReference(bankRef);
    if (bankTransactionId) references.bankTransactionId = bankTransactionId.trim();
    const counterparty: Counterparty = { ...details?.counterparty };
    // Rabobank and PostFinance put the counterparty account (or an ESR reference) on the second line.
    const supplementary = f.lines.slice(1).join('').trim();
    if (supplementary && !supplementary.startsWith('/')) {
      if (isIban(supplementary)) counterparty.iban ??= supplementary;
      else if (/^[0-9]{27}$/.test(supplementary)) references.qrReference ??= supplementary;
      else if (/^[A-Z0-9]{1,34}$/.test(supplementary) && !/^[0-9]{28,}$/.test(supplementary)) {
        counterparty.account ??= supplementary;
      }
    }
    entryIndex += 1;
    const line: StatementLine = {
      format: 'mt940',
      statementId: statementId(statement),
      account: { ...statement.account, ...(statement.account?.currency ? {} : { currency }) },
      entryIndex,
      txIndex: 1,
      bookingDate,
      valueDate,
      direction: mark.endsWith('C') ? 'credit' : 'debit',
      bookingStatus: 'booked',
      reversal: mark.startsWith('R'),
      amount,
      counterparty,
      remittance: details?.remittance ?? '',
      references,
      position: { line: f.line },
    };
    const bankText = [type, details?.bankText].filter(Boolean).join(' ');
    if (bankText) line.bankText = bankText;
    return line;
  };

  const flushLine = (): StatementLine | undefined => {
    const item = open;
    open = undefined;
    return item ? lineOf(item) : undefined;
  };

  /** Acts on a complete tag; returns the statement line it completed, if any. */
  const complete = (f: Field): StatementLine | undefined => {
    const content = f.lines.join('');
    switch (f.tag) {
      case '20': {
        const done = flushLine();
        if (statement && !closed)
          malformed(f, 'a new statement starts before the previous one has its closing balance :62F:');
        statement = { reference: content.trim(), sequence: '' };
        afterClosing = false;
        closed = false;
        return done;
      }
      case '25':
        if (!statement) malformed(f, 'an account before the :20: that starts its statement');
        if (!content.trim()) malformed(f, 'the account is empty');
        statement.account = accountOf(content);
        return undefined;
      case '28':
      case '28C':
        if (statement) statement.sequence = content.trim();
        return undefined;
      case '60F':
      case '60M': {
        if (!statement) malformed(f, 'an opening balance before the :20: that starts its statement');
        const balance = BALANCE.exec(content.trim());
        if (!balance) malformed(f, `"${content.trim()}" is not a balance (C|D YYMMDD currency amount)`);
        const date = parseYymmdd(balance[2] ?? '', { line: f.line });
        const currency = balance[3] ?? '';
        parseAmount(balance[4] ?? '', currency, { line: f.line }, true);
        statement.currency = currency;
        statement.openingDate ??= date;
        return undefined;
      }
      case '61': {
        const done = flushLine();
        open = { field: f };
        return done;
      }
      case '86':
        if (open && !open.details && !afterClosing) open.details = f;
        return undefined;
      case '62F':
      case '62M': {
        const done = flushLine();
        const balance = BALANCE.exec(content.trim());
        if (!balance) malformed(f, `"${content.trim()}" is not a balance (C|D YYMMDD currency amount)`);
        parseYymmdd(balance[2] ?? '', { line: f.line });
        parseAmount(balance[4] ?? '', balance[3] ?? '', { line: f.line }, true);
        afterClosing = true;
        closed = true;
        return done;
      }
      default:
        // :21:, :34F:, :64:, :65:, :13D:, :90C:/:90D: and others carry nothing a payment needs.
        return undefined;
    }
  };

  const tagPattern = /^:([0-9]{2}[A-Z]?):(.*)$/;
  for await (const batch of textLines(source, options, () => emitted)) {
    const ready: StatementLine[] = [];
    for (const raw of batch) {
      lastLine = raw.number;
      // SOH/ETX and other control bytes around SWIFT blocks are not content.
      // eslint-disable-next-line no-control-regex
      const text = raw.text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
      const tag = tagPattern.exec(text);
      if (tag) {
        if (field) {
          const done = complete(field);
          if (done) {
            ready.push(done);
          }
        }
        sawAnyTag = true;
        field = { tag: tag[1] ?? '', line: raw.number, lines: [tag[2] ?? ''] };
        continue;
      }
      const trimmed = text.trim();
      const ends = trimmed === '-' || trimmed.startsWith('-}');
      if (trimmed === '' || ends || trimmed.startsWith('{')) {
        // A message ends ("-", "-}"), a SWIFT header begins, or a blank line: the tag is complete.
        if (field) {
          const done = complete(field);
          if (done) {
            ready.push(done);
          }
          field = undefined;
        }
        if (ends) {
          if (statement && !closed) {
            throw new StatementParseError(
              StatementErrorCode.MalformedTag,
              'the message ends ("-") before its closing balance :62F:',
              raw.number,
            );
          }
          const done = flushLine();
          if (done) {
            ready.push(done);
          }
        }
        continue;
      }
      if (field) {
        field.lines.push(text);
        continue;
      }
      // Outside a tag: bank header lines (ABNANL2A, 940, :940:) before a message.
    }
    for (const line of ready) {
      emitted += 1;
      yield line;
    }
  }
  if (field) {
    const done = complete(field);
    if (done) {
      emitted += 1;
      yield done;
    }
  }
  const last = flushLine();
  if (last) {
    emitted += 1;
    yield last;
  }
  if (statement && !closed) {
    throw new StatementParseError(
      StatementErrorCode.Truncated,
      "the file ends before the statement's closing balance :62F:/:62M: — it is truncated",
      lastLine,
    );
  }
  if (!sawAnyTag) {
    throw new StatementParseError(
      StatementErrorCode.Empty,
      'no MT940 tag (:20:, :61: …) found',
      lastLine || 1,
    );
  }
}

export type { TextLine };
