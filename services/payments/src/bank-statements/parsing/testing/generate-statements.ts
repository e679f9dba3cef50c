import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

/**
 * Large synthetic statements for the constant-memory bench (bench/statements.bench.ts): a camt.053
 * with one statement of many entries (every fourth a batch of three transactions) and an MT940 of
 * many statements, written with backpressure so that generating one costs no memory either.
 * Amounts, dates and references vary with the entry number; nothing is random, so two runs make
 * the same bytes.
 */

async function writeUntil(
  path: string,
  targetBytes: number,
  head: string,
  piece: (i: number) => string,
  tail: string,
): Promise<number> {
  const out = createWriteStream(path);
  let written = 0;
  let entries = 0;
  const write = async (text: string): Promise<void> => {
    written += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(head);
  while (written < targetBytes) {
    entries += 1;
    await write(piece(entries));
  }
  await write(tail);
  out.end();
  await once(out, 'finish');
  return entries;
}

const amountOf = (i: number): string => `${(i % 9_000) + 1}.${String(i % 100).padStart(2, '0')}`;
const dayOf = (i: number): string => String((i % 28) + 1).padStart(2, '0');

function camtEntry(i: number): string {
  const credit = i % 3 !== 0;
  const tx = (n: number, amount: string): string => `
          <TxDtls>
            <Refs><AcctSvcrRef>BTX${i}-${n}</AcctSvcrRef><EndToEndId>E2E-${i}-${n}</EndToEndId></Refs>
            <Amt Ccy="EUR">${amount}</Amt>
            <RltdPties><Dbtr><Pty><Nm>Payer ${i % 5000} GmbH</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>DE8937040044053201${String(i % 10000).padStart(4, '0')}</IBAN></Id></DbtrAcct></RltdPties>
            <RmtInf><Ustrd>Invoice INV-${i}-${n} order ${i * 7}</Ustrd><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>RF18${String(i).padStart(10, '0')}</Ref></CdtrRefInf></Strd></RmtInf>
          </TxDtls>`;
  const batch = i % 4 === 0;
  const details = batch ? [tx(1, '1.00'), tx(2, '2.00'), tx(3, '3.00')].join('') : tx(1, amountOf(i));
  return `
      <Ntry>
        <NtryRef>${i}</NtryRef>
        <Amt Ccy="EUR">${batch ? '6.00' : amountOf(i)}</Amt>
        <CdtDbtInd>${credit ? 'CRDT' : 'DBIT'}</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2025-03-${dayOf(i)}</Dt></BookgDt>
        <ValDt><Dt>2025-03-${dayOf(i)}</Dt></ValDt>
        <AcctSvcrRef>ENTRY-${i}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls>${details}
        </NtryDtls>
      </Ntry>`;
}

/** A camt.053.001.08 file of at least `targetBytes`; returns the number of entries. */
export function generateCamt053(path: string, targetBytes: number): Promise<number> {
  const head = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>BENCH-1</MsgId><CreDtTm>2025-03-31T18:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>BENCH-STMT-1</Id>
      <CreDtTm>2025-03-31T18:00:00</CreDtTm>
      <Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-03-01</Dt></Dt></Bal>`;
  const tail = `
    </Stmt>
  </BkToCstmrStmt>
</Document>
`;
  return writeUntil(path, targetBytes, head, camtEntry, tail);
}

function mt940Statement(i: number): string {
  const lines: string[] = [
    `:20:BENCH${i}`,
    ':25:DE89370400440532013000',
    `:28C:${i}/1`,
    `:60F:C2503${dayOf(i)}EUR1000,00`,
  ];
  for (let n = 1; n <= 50; n++) {
    const k = i * 50 + n;
    const mark = n % 3 === 0 ? 'D' : 'C';
    lines.push(`:61:2503${dayOf(i)}03${dayOf(i)}${mark}${amountOf(k).replace('.', ',')}NTRFNONREF//${k}`);
    lines.push(
      `:86:166?00SEPA-GUTSCHRIFT?109310?20EREF+E2E-${k}?21SVWZ+RE INV-${k} Kunde ${k % 997}?22 Auftrag ${k * 3}?30GENODEF1XXX?31DE8937040044053201${String(k % 10000).padStart(4, '0')}?32Zahler ${k % 5000} GmbH`,
    );
  }
  lines.push(`:62F:C2503${dayOf(i)}EUR1000,00`, '-');
  return `${lines.join('\r\n')}\r\n`;
}

/** An MT940 file of at least `targetBytes` (statements of 50 lines each); returns the statements. */
export function generateMt940(path: string, targetBytes: number): Promise<number> {
  return writeUntil(path, targetBytes, '', mt940Statement, '');
}
