import { StringDecoder } from 'node:string_decoder';
import type { Money } from '@duemap/money';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import {
  realReference,
  type ByteSource,
  type Counterparty,
  type ParseOptions,
  type StatementAccount,
  type StatementFormat,
  type StatementLine,
  type StatementReferences,
} from './statement-line';
import { StatementErrorCode, StatementParseError } from './statement-parse.error';
import { chunkBytes, isIban, parseAmount, parseIsoDate, type At } from './values';

/** The camt messages read, by namespace: `urn:iso:std:iso:20022:tech:xsd:camt.053.001.02` etc. */
const CAMT_NAMESPACE = /^urn:iso:std:iso:20022:tech:xsd:camt\.(053|054)\.001\.([0-9]{2})$/;

/**
 * Most elements one Ntry may have. A real batch entry has a few thousand; a hostile or broken file
 * with an endless Ntry would otherwise be held in memory whole.
 */
export const MAX_ENTRY_ELEMENTS = 200_000;

/** An element of one Ntry (or of a statement's header), held until the element closes. */
interface Node {
  name: string;
  attributes: Record<string, string>;
  text: string;
  children: Node[];
  line: number;
  column: number;
  path: string;
}

function child(node: Node | undefined, name: string): Node | undefined {
  return node?.children.find((c) => c.name === name);
}

function children(node: Node | undefined, name: string): Node[] {
  return node ? node.children.filter((c) => c.name === name) : [];
}

/** The node at a relative path (`RltdPties/Dbtr/Nm`), first match at each step. */
function at(node: Node | undefined, path: string): Node | undefined {
  let current = node;
  for (const step of path.split('/')) current = child(current, step);
  return current;
}

function textAt(node: Node | undefined, path: string): string | undefined {
  const found = at(node, path);
  const text = found?.text.trim();
  return text ? text : undefined;
}

function where(node: Node): At {
  return { line: node.line, column: node.column, path: node.path };
}

function missing(parent: Node, name: string, why: string): never {
  throw new StatementParseError(
    StatementErrorCode.MissingElement,
    `${name} is missing: ${why}`,
    parent.line,
    parent.column,
    `${parent.path}/${name}`,
  );
}

/** An `Amt Ccy="EUR"` element as Money, with errors naming the element. */
function amountOf(node: Node): Money {
  const currency = node.attributes.Ccy;
  if (currency === undefined) {
    throw new StatementParseError(
      StatementErrorCode.InvalidCurrency,
      'the amount has no Ccy attribute',
      node.line,
      node.column,
      node.path,
    );
  }
  return parseAmount(node.text, currency, where(node));
}

/** BookgDt / ValDt: `<Dt>` or `<DtTm>`, as a calendar date. */
function dateOf(node: Node | undefined): string | null {
  if (!node) return null;
  const value = child(node, 'Dt') ?? child(node, 'DtTm');
  if (!value) missing(node, 'Dt', `${node.name} needs Dt or DtTm`);
  return parseIsoDate(value.text, where(value));
}

/** A party (Dbtr, Cdtr): v02 has `Nm` directly, v08 nests it in `Pty`. */
function partyName(party: Node | undefined): string | undefined {
  return textAt(party, 'Nm') ?? textAt(party, 'Pty/Nm');
}

function accountOf(account: Node | undefined): { iban?: string; account?: string } {
  const iban = textAt(account, 'Id/IBAN');
  if (iban) return { iban: iban.replace(/\s+/g, '') };
  const other = textAt(account, 'Id/Othr/Id');
  if (!other) return {};
  return isIban(other) ? { iban: other.replace(/\s+/g, '') } : { account: other };
}

function counterpartyOf(tx: Node | undefined, direction: 'credit' | 'debit'): Counterparty {
  const parties = at(tx, 'RltdPties');
  const agents = at(tx, 'RltdAgts');
  const side = direction === 'credit' ? 'Dbtr' : 'Cdtr';
  const result: Counterparty = { ...accountOf(child(parties, `${side}Acct`)) };
  const name = partyName(child(parties, side));
  if (name) result.name = name;
  const ultimate = partyName(child(parties, `Ultmt${side}`));
  if (ultimate) result.ultimateName = ultimate;
  const bic = textAt(agents, `${side}Agt/FinInstnId/BIC`) ?? textAt(agents, `${side}Agt/FinInstnId/BICFI`);
  if (bic) result.bic = bic;
  return result;
}

/** Structured creditor references: RF/SCOR/national ones, and Swiss QRR / ISR references apart. */
function structuredReferences(tx: Node | undefined, into: StatementReferences): void {
  const documents: string[] = [];
  for (const rmtInf of children(tx, 'RmtInf')) {
    for (const strd of children(rmtInf, 'Strd')) {
      const info = child(strd, 'CdtrRefInf');
      const ref = textAt(info, 'Ref');
      if (ref) {
        const kind = (
          textAt(info, 'Tp/CdOrPrtry/Prtry') ??
          textAt(info, 'Tp/CdOrPrtry/Cd') ??
          ''
        ).toUpperCase();
        if (kind === 'QRR' || kind.startsWith('ISR') || kind.startsWith('ESR')) into.qrReference ??= ref;
        else into.creditorReference ??= ref;
      }
      for (const doc of children(strd, 'RfrdDocInf')) {
        const number = textAt(doc, 'Nb');
        if (number) documents.push(number);
      }
    }
  }
  if (documents.length > 0) into.documentNumbers = documents;
}

function unstructured(tx: Node | undefined): string {
  const parts: string[] = [];
  for (const rmtInf of children(tx, 'RmtInf')) {
    for (const ustrd of children(rmtInf, 'Ustrd')) {
      // A line break with indentation inside the element is the writer's layout, not text.
      const text = ustrd.text.trim().replace(/\s*\n\s*/g, ' ');
      if (text) parts.push(text);
    }
  }
  // Nordic banks cut text into 35-character Ustrd lines, mid-word: a full line continues as is.
  return parts.reduce(
    (joined, part, i) => (i === 0 ? part : joined + ((parts[i - 1] ?? '').length === 35 ? '' : ' ') + part),
    '',
  );
}

function directionOf(node: Node): 'credit' | 'debit' {
  const value = node.text.trim();
  if (value === 'CRDT') return 'credit';
  if (value === 'DBIT') return 'debit';
  throw new StatementParseError(
    StatementErrorCode.InvalidValue,
    `CdtDbtInd "${value}" is neither CRDT nor DBIT`,
    node.line,
    node.column,
    node.path,
  );
}

/** The amount of one transaction of a batch: TxDtls/Amt (v08), AmtDtls/TxAmt (v02), InstdAmt. */
function transactionAmount(tx: Node): Money | undefined {
  const amount = child(tx, 'Amt') ?? at(tx, 'AmtDtls/TxAmt/Amt') ?? at(tx, 'AmtDtls/InstdAmt/Amt');
  return amount ? amountOf(amount) : undefined;
}

interface StatementHeader {
  id: string;
  account: StatementAccount;
}

function headerOf(stmt: Node): StatementHeader {
  const id = textAt(stmt, 'Id');
  if (!id) missing(stmt, 'Id', `${stmt.name} must have an Id`);
  const acct = child(stmt, 'Acct');
  if (!acct) missing(stmt, 'Acct', `${stmt.name} must name its account`);
  const { iban, account: number } = accountOf(acct);
  const account: StatementAccount = {};
  if (iban) account.iban = iban;
  if (number) account.number = number;
  const currency = textAt(acct, 'Ccy');
  if (currency) account.currency = currency;
  return { id, account };
}

/** Turns one closed Ntry into its lines: one per TxDtls, or one for an entry without details. */
export function linesOfEntry(
  entry: Node,
  header: StatementHeader,
  format: StatementFormat,
  entryIndex: number,
): StatementLine[] {
  const amountNode = child(entry, 'Amt');
  if (!amountNode) missing(entry, 'Amt', 'every Ntry needs its amount');
  const entryAmount = amountOf(amountNode);
  const indicator = child(entry, 'CdtDbtInd');
  if (!indicator) missing(entry, 'CdtDbtInd', 'every Ntry needs CRDT or DBIT');
  const entryDirection = directionOf(indicator);
  const reversal = textAt(entry, 'RvslInd') === 'true';
  // v02 writes Sts as a code, v08 as Sts/Cd.
  const status = (textAt(entry, 'Sts/Cd') ?? textAt(entry, 'Sts') ?? 'BOOK').toUpperCase();
  const bookingStatus = status === 'PDNG' ? 'pending' : status === 'INFO' ? 'info' : 'booked';
  const bookingDate = dateOf(child(entry, 'BookgDt'));
  const valueDate = dateOf(child(entry, 'ValDt'));
  const entryRef = realReference(textAt(entry, 'NtryRef'));
  const entryServicerRef = realReference(textAt(entry, 'AcctSvcrRef'));
  const bankText = textAt(entry, 'AddtlNtryInf');
  const transactions = children(entry, 'NtryDtls').flatMap((d) => children(d, 'TxDtls'));

  const lineOf = (tx: Node | undefined, txIndex: number, amount: Money): StatementLine => {
    const txIndicator = child(tx, 'CdtDbtInd');
    const direction = txIndicator ? directionOf(txIndicator) : entryDirection;
    const references: StatementReferences = {};
    const endToEndId = realReference(textAt(tx, 'Refs/EndToEndId'));
    if (endToEndId) references.endToEndId = endToEndId;
    // The entry's own AcctSvcrRef names one transaction only when the entry has one.
    const bankTransactionId =
      realReference(textAt(tx, 'Refs/AcctSvcrRef')) ??
      (transactions.length <= 1 ? entryServicerRef : undefined);
    if (bankTransactionId) references.bankTransactionId = bankTransactionId;
    if (entryRef) references.entryRef = entryRef;
    const mandateId = realReference(textAt(tx, 'Refs/MndtId'));
    if (mandateId) references.mandateId = mandateId;
    structuredReferences(tx, references);
    const source = tx ?? entry;
    const line: StatementLine = {
      format,
      statementId: header.id,
      account: header.account,
      entryIndex,
      txIndex,
      bookingDate,
      valueDate,
      direction,
      bookingStatus,
      reversal,
      amount,
      counterparty: counterpartyOf(tx, direction),
      remittance: unstructured(tx),
      references,
      position: { line: source.line, column: source.column, path: source.path },
    };
    const text = textAt(tx, 'AddtlTxInf') ?? bankText;
    if (text) line.bankText = text;
    return line;
  };

  if (transactions.length <= 1) {
    const tx = transactions[0];
    // A single TxDtls may state the instructed amount in another currency: the entry's is booked.
    return [lineOf(tx, 1, entryAmount)];
  }
  return transactions.map((tx, i) => {
    const amount = transactionAmount(tx);
    if (!amount) missing(tx, 'Amt', 'each transaction of a batch entry needs its own amount');
    return lineOf(tx, i + 1, amount);
  });
}

type Mode = { kind: 'outside' } | { kind: 'capture'; stack: Node[]; elements: number };

/**
 * Streams a camt.053 (BkToCstmrStmt/Stmt) or camt.054 (BkToCstmrDbtCdtNtfctn/Ntfctn) file with
 * saxes: only the statement header (everything of a Stmt before its first Ntry) and the current
 * Ntry are held, so memory does not grow with the file. Any version of the two messages is read by
 * element names; .001.02, .001.04 and .001.08 are tested.
 */
export async function* parseCamt(
  source: ByteSource,
  options: ParseOptions = {},
): AsyncGenerator<StatementLine> {
  // Namespaces are not resolved per element (a tenth of the parse): only the root's is checked, and
  // elements are read by local name, whatever prefix the bank chose.
  const parser = new SaxesParser({ xmlns: false, position: true });
  const decoder = new StringDecoder('utf8');
  const pending: StatementLine[] = [];
  /** Names and sibling counts of the open elements, for element paths. */
  const open: { name: string; counts: Map<string, number>; path: string }[] = [];
  let format: StatementFormat | undefined;
  let statementName: 'Stmt' | 'Ntfctn' | undefined;
  let header: StatementHeader | undefined;
  let headerNode: Node | undefined;
  let mode: Mode = { kind: 'outside' };
  let entryIndex = 0;
  let rootClosed = false;
  let bytesRead = 0;
  let lines = 0;

  const position = (): { line: number; column: number } => ({ line: parser.line, column: parser.column });

  parser.on('error', (err) => {
    // saxes prefixes its messages with "line:column: "; ours say it in words.
    const message = err.message.replace(/^[^:]*:?\d+:\d+: /, '');
    throw new StatementParseError(
      StatementErrorCode.MalformedXml,
      `not well-formed XML: ${message}`,
      parser.line,
      parser.column,
      open.map((o) => o.name).join('/') ? `/${open.map((o) => o.name).join('/')}` : undefined,
    );
  });

  parser.on('opentag', (tag: SaxesTagPlain) => {
    const parent = open[open.length - 1];
    const colon = tag.name.indexOf(':');
    const name = colon < 0 ? tag.name : tag.name.slice(colon + 1);
    const count = (parent?.counts.get(name) ?? 0) + 1;
    parent?.counts.set(name, count);
    const repeatable = name === 'Stmt' || name === 'Ntfctn' || name === 'Ntry' || name === 'TxDtls';
    const path = `${parent?.path ?? ''}/${name}${repeatable ? `[${count}]` : ''}`;
    open.push({ name, counts: new Map(), path });
    const depth = open.length;
    const { line, column } = position();

    if (depth === 1) {
      const uri = tag.attributes[colon < 0 ? 'xmlns' : `xmlns:${tag.name.slice(0, colon)}`] ?? '';
      const match = CAMT_NAMESPACE.exec(uri);
      if (name !== 'Document' || !match) {
        throw new StatementParseError(
          StatementErrorCode.UnknownFormat,
          `the root element is {${uri}}${name}, not a camt.053 or camt.054 Document`,
          line,
          column,
          path,
        );
      }
      format = match[1] === '053' ? 'camt053' : 'camt054';
      statementName = format === 'camt053' ? 'Stmt' : 'Ntfctn';
      return;
    }
    const attributes: Record<string, string> = {};
    for (const [key, value] of Object.entries(tag.attributes)) {
      const at = key.indexOf(':');
      attributes[at < 0 ? key : key.slice(at + 1)] = value;
    }
    const node: Node = { name, attributes, text: '', children: [], line, column, path };

    if (depth === 4 && name === 'Ntry' && headerNode) {
      // Entries follow the header elements (Id, Acct, Bal): the header is complete here, and the
      // capture switches to the entry, so that no statement holds its entries in memory.
      header ??= headerOf(headerNode);
      entryIndex += 1;
      mode = { kind: 'capture', stack: [node], elements: 1 };
      return;
    }
    if (mode.kind === 'capture') {
      mode.elements += 1;
      if (mode.elements > MAX_ENTRY_ELEMENTS) {
        throw new StatementParseError(
          StatementErrorCode.EntryTooLarge,
          `an entry has more than ${MAX_ENTRY_ELEMENTS} elements`,
          line,
          column,
          path,
        );
      }
      mode.stack[mode.stack.length - 1]?.children.push(node);
      mode.stack.push(node);
      return;
    }
    if (depth === 3 && name === statementName) {
      headerNode = node;
      header = undefined;
      mode = { kind: 'capture', stack: [node], elements: 1 };
    }
  });

  parser.on('text', (text) => {
    if (mode.kind === 'capture') {
      const current = mode.stack[mode.stack.length - 1];
      if (current) current.text += text;
    }
  });
  parser.on('cdata', (text) => {
    if (mode.kind === 'capture') {
      const current = mode.stack[mode.stack.length - 1];
      if (current) current.text += text;
    }
  });

  parser.on('closetag', () => {
    const depth = open.length;
    open.pop();
    if (depth === 1) {
      rootClosed = true;
      return;
    }
    if (mode.kind !== 'capture') {
      if (depth === 3 && headerNode) {
        // A Stmt without entries still has to be well-formed (the second Stmt of the LT sample).
        headerOf(headerNode);
        headerNode = undefined;
        header = undefined;
      }
      return;
    }
    const closed = mode.stack.pop();
    if (mode.stack.length > 0 || !closed) return;
    mode = { kind: 'outside' };
    if (closed.name === 'Ntry' && header && format) {
      pending.push(...linesOfEntry(closed, header, format, entryIndex));
    } else if (closed.name === statementName) {
      // A Stmt closed while its header was still being captured: it has no entries.
      headerOf(closed);
      headerNode = undefined;
      header = undefined;
    }
  });

  for await (const chunk of source) {
    const bytes = chunkBytes(chunk);
    bytesRead += bytes.length;
    parser.write(decoder.write(bytes));
    for (const line of pending.splice(0)) {
      lines += 1;
      yield line;
    }
    options.onProgress?.({ bytesRead, totalBytes: options.totalBytes, lines });
  }
  parser.write(decoder.end());
  if (!rootClosed) {
    const openPath = open.map((o) => o.path).pop();
    throw new StatementParseError(
      StatementErrorCode.Truncated,
      open.length > 0
        ? `the file ends inside <${open[open.length - 1]?.name}>: it is truncated`
        : 'the file ends before any camt element: it is empty or truncated',
      parser.line,
      parser.column,
      openPath,
    );
  }
  parser.close();
  yield* pending.splice(0);
}
