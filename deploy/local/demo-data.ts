/**
 * Demo data for `npm start`: a few hundred customers across China and a few other countries, with
 * invoices in every state (open, partially paid, paid, overdue, void) and the payments that made
 * them so — loaded through the public API like any ERP would, and idempotent (upserts by source
 * keys, payments by Idempotency-Key), so a second `npm start` changes nothing.
 */

interface Place {
  country: string;
  province?: string;
  city: string;
  district?: string;
  currency: string;
  timeZone: string;
}

const CN = (province: string, city: string, district?: string): Place => ({
  country: 'CN',
  province,
  city,
  district,
  currency: 'CNY',
  timeZone: 'Asia/Shanghai',
});

const PLACES: Place[] = [
  CN('上海市', '上海市', '浦东新区'),
  CN('上海市', '上海市', '徐汇区'),
  CN('北京市', '北京市', '朝阳区'),
  CN('北京市', '北京市', '海淀区'),
  CN('广东省', '广州市', '天河区'),
  CN('广东省', '深圳市', '南山区'),
  CN('广东省', '东莞市'),
  CN('广东省', '佛山市'),
  CN('浙江省', '杭州市', '西湖区'),
  CN('浙江省', '宁波市'),
  CN('浙江省', '温州市'),
  CN('江苏省', '南京市'),
  CN('江苏省', '苏州市'),
  CN('江苏省', '无锡市'),
  CN('四川省', '成都市', '武侯区'),
  CN('湖北省', '武汉市'),
  CN('湖南省', '长沙市'),
  CN('陕西省', '西安市'),
  CN('重庆市', '重庆市'),
  CN('天津市', '天津市'),
  CN('山东省', '青岛市'),
  CN('山东省', '济南市'),
  CN('福建省', '厦门市'),
  CN('福建省', '福州市'),
  CN('河南省', '郑州市'),
  CN('辽宁省', '沈阳市'),
  CN('辽宁省', '大连市'),
  CN('云南省', '昆明市'),
  CN('安徽省', '合肥市'),
  CN('黑龙江省', '哈尔滨市'),
  { country: 'HK', city: 'Hong Kong', currency: 'HKD', timeZone: 'Asia/Hong_Kong' },
  { country: 'SG', city: 'Singapore', currency: 'SGD', timeZone: 'Asia/Singapore' },
  { country: 'JP', city: 'Tokyo', currency: 'JPY', timeZone: 'Asia/Tokyo' },
  { country: 'DE', city: 'Hamburg', currency: 'EUR', timeZone: 'Europe/Berlin' },
  { country: 'NL', city: 'Rotterdam', currency: 'EUR', timeZone: 'Europe/Amsterdam' },
  { country: 'US', city: 'Los Angeles', currency: 'USD', timeZone: 'America/Los_Angeles' },
  { country: 'GB', city: 'London', currency: 'GBP', timeZone: 'Europe/London' },
  { country: 'AU', city: 'Sydney', currency: 'AUD', timeZone: 'Australia/Sydney' },
];

const CN_WORDS = [
  '明远',
  '华通',
  '鑫达',
  '恒信',
  '宏图',
  '天成',
  '瑞丰',
  '嘉禾',
  '中联',
  '金桥',
  '海川',
  '博远',
];
const CN_TRADES = ['贸易', '电子', '机械', '物流', '食品', '纺织', '化工', '建材', '医药', '科技'];
const EN_WORDS = [
  'Harbor',
  'Summit',
  'Pioneer',
  'Golden Gate',
  'Northwind',
  'Bluewater',
  'Evergreen',
  'Atlas',
];
const EN_TRADES = ['Trading', 'Logistics', 'Electronics', 'Foods', 'Machinery', 'Textiles'];
const ERPS = ['sap', 'oracle', 'kingdee', 'yonyou', 'dynamics'];

/** mulberry32: the same demo every time. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function isoDate(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

function money(units: number, currency: string): { amount: string; currency: string } {
  return { amount: currency === 'JPY' ? String(units) : `${units}.00`, currency };
}

type InvoiceState = 'open' | 'partially_paid' | 'paid' | 'overdue' | 'void';
const STATES: InvoiceState[] = [
  'open',
  'open',
  'partially_paid',
  'paid',
  'paid',
  'overdue',
  'overdue',
  'void',
];

export interface DemoSummary {
  customers: number;
  invoices: number;
  payments: number;
  /** Credits of the demo bank statement (cash application applies or queues them for review). */
  bankCredits: number;
  failures: string[];
}

async function call(
  base: string,
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

export async function loadDemoData(
  apiUrl: string,
  { customers = 300, seed = 20261123, token }: { customers?: number; seed?: number; token?: string } = {},
): Promise<DemoSummary> {
  // Every call is authenticated like any client's (an admin token of the local issuer).
  const api = (method: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
    call(apiUrl, method, path, body, token ? { authorization: `Bearer ${token}`, ...headers } : headers);
  const rnd = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const summary: DemoSummary = { customers: 0, invoices: 0, payments: 0, bankCredits: 0, failures: [] };
  const fail = (what: string, status: number, json: unknown): void => {
    if (summary.failures.length < 10)
      summary.failures.push(`${what}: ${status} ${JSON.stringify(json).slice(0, 200)}`);
  };

  const plan = Array.from({ length: customers }, (_, i) => {
    // Two thirds in China, the rest spread over the other places.
    const place = i % 3 === 2 ? pick(PLACES.slice(30)) : pick(PLACES.slice(0, 30));
    const cn = place.country === 'CN';
    const name = cn
      ? `${place.city.replace(/市$/, '')}${pick(CN_WORDS)}${pick(CN_TRADES)}有限公司`
      : `${pick(EN_WORDS)} ${pick(EN_TRADES)} ${place.city} Ltd`;
    const invoices = Array.from({ length: 1 + Math.floor(rnd() * 4) }, (_, n) => ({
      number: `INV-${String(i + 1).padStart(4, '0')}-${n + 1}`,
      state: pick(STATES),
      units: (1 + Math.floor(rnd() * 50)) * 1000,
      age: 5 + Math.floor(rnd() * 80),
    }));
    return {
      externalId: `C-${String(i + 1).padStart(4, '0')}`,
      erp: ERPS[i % ERPS.length] as string,
      place,
      name,
      vip: rnd() < 0.1,
      invoices,
    };
  });

  await inParallel(plan, 6, async (c) => {
    const res = await api('PUT', `/api/v1/customers/${c.erp}/${c.externalId}`, {
      name: c.name,
      tier: c.vip ? 'vip' : 'standard',
      taxId: `DEMO${c.externalId}`,
      currency: c.place.currency,
      timeZone: c.place.timeZone,
      address: {
        country: c.place.country,
        province: c.place.province,
        city: c.place.city,
        district: c.place.district,
      },
    });
    if (res.status >= 300) return fail(`customer ${c.externalId}`, res.status, res.json);
    summary.customers++;
    const customerId = String(res.json.id);
    for (const inv of c.invoices) {
      // Paid and partially paid invoices were due in the past or near future; overdue ones are past due.
      const due =
        inv.state === 'overdue' || inv.state === 'paid'
          ? -Math.floor(inv.age / 2)
          : 30 - Math.floor(inv.age / 3);
      const created = await api('PUT', `/api/v1/invoices/${c.erp}/${inv.number}`, {
        customerId,
        number: inv.number,
        issueDate: isoDate(-inv.age),
        dueDate: isoDate(Math.max(due, -inv.age)),
        total: money(inv.units, c.place.currency),
      });
      if (created.status >= 300) {
        // A second start: the demo's void invoice was voided by the first, and stays so.
        const voidedBefore =
          inv.state === 'void' &&
          created.status === 409 &&
          JSON.stringify(created.json).includes('INVOICE_VOIDED');
        if (voidedBefore) summary.invoices++;
        else fail(`invoice ${inv.number}`, created.status, created.json);
        continue;
      }
      summary.invoices++;
      const invoiceId = String(created.json.id);
      if (inv.state === 'void' && created.json.status !== 'void') {
        const voided = await api('POST', `/api/v1/invoices/${invoiceId}/void`, {});
        if (voided.status >= 300 && voided.status !== 409)
          fail(`void ${inv.number}`, voided.status, voided.json);
      }
      if (inv.state === 'paid' || inv.state === 'partially_paid') {
        const units = inv.state === 'paid' ? inv.units : Math.floor(inv.units / 2);
        const paid = await api(
          'POST',
          '/api/v1/payments',
          {
            customerId,
            amount: money(units, c.place.currency),
            receivedAt: new Date(Date.now() - 86_400_000).toISOString(),
            method: pick(['bank_transfer', 'bank_transfer', 'e_wallet', 'card', 'cheque']),
            reference: inv.number,
            allocations: [{ invoiceId, amount: money(units, c.place.currency) }],
          },
          { 'Idempotency-Key': `demo-${c.erp}-${inv.number}` },
        );
        // A second start on another moment: the key is taken by the payment of the first one (its
        // receivedAt differs), which is the payment wanted.
        const loadedBefore =
          paid.status === 409 && JSON.stringify(paid.json).includes('IDEMPOTENCY_KEY_REUSED');
        if (paid.status >= 300 && !loadedBefore) fail(`payment ${inv.number}`, paid.status, paid.json);
        else summary.payments++;
      }
    }
  });

  // Yesterday's statement of the company's CNY account: transfers naming open invoices (cash
  // application applies them) and two from payers nobody knows (the payments worklist). The bank
  // references are fixed, so a second start's upload is all duplicates and changes nothing.
  const open = plan
    .filter((c) => c.place.currency === 'CNY')
    .flatMap((c) => c.invoices.filter((i) => i.state === 'open').map((i) => ({ c, i })))
    .slice(0, 3);
  const credits = [
    ...open.map(({ c, i }) => ({
      amount: money(i.units, 'CNY').amount,
      payer: c.name,
      remittance: `货款 ${i.number}`,
    })),
    { amount: '8888.00', payer: '王小明', remittance: '转账' },
    { amount: '12500.00', payer: 'GLOBAL SOURCING HK LTD', remittance: 'PAYMENT FOR GOODS' },
  ];
  const statement = demoStatement(isoDate(-1), credits);
  const imported = await fetch(`${apiUrl}/api/v1/bank-statements`, {
    method: 'POST',
    headers: { 'content-type': 'application/xml', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: statement,
    signal: AbortSignal.timeout(15_000),
  });
  if (imported.status === 200 || imported.status === 201) summary.bankCredits = credits.length;
  else fail('demo bank statement', imported.status, await imported.text());
  return summary;
}

/** A camt.053.001.08 of the demo company's CNY account with these credits. */
function demoStatement(
  day: string,
  credits: { amount: string; payer: string; remittance: string }[],
): string {
  const entries = credits
    .map(
      (c, n) => `
      <Ntry><Amt Ccy="CNY">${c.amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>${day}</Dt></BookgDt><ValDt><Dt>${day}</Dt></ValDt><AcctSvcrRef>DEMO-BTX-${n + 1}</AcctSvcrRef>
        <NtryDtls><TxDtls><Refs><AcctSvcrRef>DEMO-BTX-${n + 1}</AcctSvcrRef></Refs>
          <RltdPties><Dbtr><Pty><Nm>${c.payer}</Nm></Pty></Dbtr></RltdPties>
          <RmtInf><Ustrd>${c.remittance}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
  <GrpHdr><MsgId>DEMO-STATEMENT</MsgId><CreDtTm>${day}T18:00:00</CreDtTm></GrpHdr>
  <Stmt><Id>DEMO-STATEMENT</Id><CreDtTm>${day}T18:00:00</CreDtTm>
    <Acct><Id><Othr><Id>4000023009200188888</Id></Othr></Id><Ccy>CNY</Ccy></Acct>${entries}
  </Stmt></BkToCstmrStmt></Document>
`;
}
