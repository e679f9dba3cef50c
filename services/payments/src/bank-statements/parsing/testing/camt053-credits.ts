/** One incoming transfer of a camt.053 built for a test. */
export interface CamtCredit {
  /** Decimal string, e.g. '1200.00'. */
  amount: string;
  currency: string;
  /** YYYY-MM-DD value and booking date. */
  valueDate: string;
  payerName?: string;
  payerIban?: string;
  /** Unstructured remittance (Ustrd). */
  remittance?: string;
  endToEndId?: string;
  /** The bank's own transaction reference (AcctSvcrRef): how a re-upload is recognised. */
  bankReference: string;
}

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A camt.053.001.08 statement of the company's account with these credits, one entry each: what a
 * bank sends at the end of a day, small enough to write inline in a test.
 */
export function camt053Credits(statementId: string, account: string, credits: readonly CamtCredit[]): string {
  const entries = credits
    .map(
      (c, i) => `
      <Ntry>
        <NtryRef>${i + 1}</NtryRef>
        <Amt Ccy="${c.currency}">${c.amount}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>${c.valueDate}</Dt></BookgDt>
        <ValDt><Dt>${c.valueDate}</Dt></ValDt>
        <AcctSvcrRef>${escape(c.bankReference)}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls>
          <TxDtls>
            <Refs><AcctSvcrRef>${escape(c.bankReference)}</AcctSvcrRef>${
              c.endToEndId ? `<EndToEndId>${escape(c.endToEndId)}</EndToEndId>` : ''
            }</Refs>
            <Amt Ccy="${c.currency}">${c.amount}</Amt>
            <RltdPties><Dbtr><Pty><Nm>${escape(c.payerName ?? '')}</Nm></Pty></Dbtr>${
              c.payerIban ? `<DbtrAcct><Id><IBAN>${escape(c.payerIban)}</IBAN></Id></DbtrAcct>` : ''
            }</RltdPties>
            <RmtInf><Ustrd>${escape(c.remittance ?? '')}</Ustrd></RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>${escape(statementId)}</MsgId><CreDtTm>2026-01-01T18:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>${escape(statementId)}</Id>
      <CreDtTm>2026-01-01T18:00:00</CreDtTm>
      <Acct><Id><IBAN>${escape(account)}</IBAN></Id><Ccy>${credits[0]?.currency ?? 'EUR'}</Ccy></Acct>${entries}
    </Stmt>
  </BkToCstmrStmt>
</Document>
`;
}
