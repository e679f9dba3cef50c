import { Money } from '@duemap/money';
import * as OpenCC from 'opencc-js';
import { pinyin } from 'pinyin-pro';
import type { CustomerProfile, OpenInvoice, PaymentCandidate } from '../cash-application.types';
import { creditorReferenceFor } from '../creditor-reference';

/**
 * A labelled set for cash application: a book of customers and open invoices as Chinese and
 * international AR teams have them, and payments as payers really send them, each labelled with
 * what the payer meant (the customer and the split) or with `needs_review` when the payment alone
 * cannot say it. Seeded and deterministic: the same options always give the same set.
 *
 * The labels come from how each payment was made (the invoices the simulated payer chose), never
 * from the engine. The only analysis done here is the one that decides whether a case is
 * genuinely ambiguous — another set of the customer's invoices, no larger, that makes the same
 * amount — by brute force, independent of the engine's bounded search.
 */

export type CaseKind =
  | 'explicit'
  | 'reference'
  | 'reference_ocr'
  | 'reference_typo'
  | 'several_references'
  | 'partial_with_reference'
  | 'creditor_reference'
  | 'amount_by_name'
  | 'combination'
  | 'account_only'
  | 'customer_given_no_reference'
  | 'ambiguous';

export interface LabelledAllocation {
  invoiceId: string;
  amount: Money;
}

export interface LabelledCase {
  id: string;
  kind: CaseKind;
  /** What made it ambiguous, for `ambiguous` cases (and any case relabelled as such). */
  note?: string;
  payment: PaymentCandidate;
  truth:
    | { decision: 'auto_apply'; customerId: string; allocations: LabelledAllocation[] }
    | { decision: 'needs_review' };
}

export interface LabelledSet {
  customers: CustomerProfile[];
  invoices: OpenInvoice[];
  cases: LabelledCase[];
}

export interface LabelledSetOptions {
  seed?: number;
  customers?: number;
  cases?: number;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REGIONS = [
  '上海',
  '北京',
  '深圳',
  '广州',
  '杭州',
  '苏州',
  '南京',
  '成都',
  '武汉',
  '天津',
  '重庆',
  '宁波',
  '厦门',
  '青岛',
  '东莞',
  '佛山',
  '无锡',
  '长沙',
  '合肥',
  '西安',
];
const CORES = [
  '华联',
  '远航',
  '恒信',
  '鑫源',
  '瑞丰',
  '金桥',
  '海通',
  '宏达',
  '天成',
  '中科',
  '永盛',
  '嘉禾',
  '新元',
  '隆基',
  '博远',
  '华泰',
  '东方',
  '长城',
  '泰和',
  '恒通',
  '百川',
  '明德',
  '启航',
  '盛世',
  '宏图',
  '德胜',
  '汇金',
  '万通',
  '锦程',
  '正阳',
  '润达',
  '佳美',
  '星辰',
  '九州',
  '龙腾',
  '安泰',
  '凯旋',
  '光明',
  '同舟',
  '顺发',
];
const INDUSTRIES = [
  '电子科技',
  '贸易',
  '物流',
  '机械制造',
  '化工',
  '纺织',
  '食品',
  '建材',
  '医药',
  '信息技术',
  '新能源',
  '包装材料',
  '汽车零部件',
  '进出口',
  '精密仪器',
  '环保科技',
];
const CN_SUFFIXES = ['有限公司', '有限公司', '有限公司', '股份有限公司', '有限责任公司'];
const LATIN_FIRST = [
  'Acme',
  'Global',
  'Pacific',
  'Nordic',
  'Summit',
  'Everbright',
  'Redwood',
  'Atlas',
  'Orion',
  'Vertex',
  'Harbor',
  'Silverline',
  'Bluewater',
  'Meridian',
  'Keystone',
  'Northstar',
  'Granite',
  'Sterling',
  'Lakeside',
  'Crescent',
  'Falcon',
  'Evergreen',
  'Horizon',
  'Pioneer',
  'Sunrise',
];
const LATIN_SECOND = [
  'Trading',
  'Logistics',
  'Industries',
  'Electronics',
  'Foods',
  'Textiles',
  'Machinery',
  'Components',
  'Chemicals',
  'Supply',
  'Systems',
  'Packaging',
];
const LATIN_SUFFIX: { suffix: string; currency: string }[] = [
  { suffix: 'Co., Ltd.', currency: 'CNY' },
  { suffix: 'Limited', currency: 'CNY' },
  { suffix: 'GmbH', currency: 'EUR' },
  { suffix: 'B.V.', currency: 'EUR' },
  { suffix: 'Inc.', currency: 'USD' },
  { suffix: 'LLC', currency: 'USD' },
];
const PERSONS = [
  '张伟',
  '王芳',
  '李娜',
  '刘洋',
  '陈静',
  '杨磊',
  'JOHN SMITH',
  'MARIA GARCIA',
  '赵强',
  '周敏',
];
const OCR: Record<string, string[]> = { '0': ['O', 'o'], '1': ['I', 'l'], '5': ['S'], '8': ['B'] };

type Erp = 'oracle' | 'sap' | 'kingdee' | 'yonyou' | 'fapiao';
const ERPS: Erp[] = ['oracle', 'sap', 'kingdee', 'yonyou', 'fapiao'];

interface Customer extends CustomerProfile {
  chinese: boolean;
  currencies: string[];
  erp: Erp;
}

const toTraditional = OpenCC.Converter({ from: 'cn', to: 'hk' });

class Gen {
  readonly random: () => number;
  constructor(seed: number) {
    this.random = mulberry32(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)] as T;
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  shuffle<T>(list: T[]): T[] {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [list[i], list[j]] = [list[j] as T, list[i] as T];
    }
    return list;
  }
}

function fullWidth(text: string): string {
  return text.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).replace(/ /g, '\u3000');
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function makeCustomers(g: Gen, count: number): Customer[] {
  const customers: Customer[] = [];
  const names = new Set<string>();
  let accountSeq = 1000;
  while (customers.length < count) {
    const id = `cust-${String(customers.length + 1).padStart(4, '0')}`;
    const chinese = g.chance(0.6);
    let name: string;
    let currencies: string[];
    const aliases: string[] = [];
    if (chinese) {
      const region = g.pick(REGIONS);
      const core = g.pick(CORES);
      const industry = g.pick(INDUSTRIES);
      name = `${region}${core}${industry}${g.pick(CN_SUFFIXES)}`;
      currencies = industry === '进出口' || g.chance(0.08) ? ['CNY', 'USD'] : ['CNY'];
      if (g.chance(0.2)) {
        const py = (s: string): string =>
          pinyin(s, { toneType: 'none', type: 'array' })
            .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
            .join('');
        aliases.push(`${py(region)} ${py(core)} ${industry === '贸易' ? 'Trading' : 'Industrial'} Co., Ltd.`);
      }
    } else {
      const legal = g.pick(LATIN_SUFFIX);
      name = `${g.pick(LATIN_FIRST)} ${g.pick(LATIN_SECOND)} ${legal.suffix}`;
      currencies = [legal.currency];
    }
    if (names.has(name)) continue;
    names.add(name);
    const accounts: string[] = [];
    const accountCount = g.pick([0, 1, 1, 1, 2]);
    for (let i = 0; i < accountCount; i++) {
      accountSeq += g.int(1, 97);
      accounts.push(
        currencies[0] === 'EUR'
          ? `${g.pick(['DE', 'NL'])}${g.int(10, 99)} ${String(accountSeq).padStart(4, '0')} ${g.int(1000, 9999)} ${g.int(1000, 9999)} ${g.int(1000, 9999)} ${g.int(10, 99)}`
          : `${g.pick(['6222', '6217', '6228', '3100', '1001'])} ${g.int(1000, 9999)} ${String(accountSeq).padStart(4, '0')} ${g.int(1000, 9999)}`,
      );
    }
    customers.push({
      customerId: id,
      names: [name, ...aliases],
      accounts,
      chinese,
      currencies,
      erp: g.pick(ERPS),
    });
  }
  return customers;
}

function makeInvoices(g: Gen, customers: readonly Customer[]): OpenInvoice[] {
  const seq: Record<Erp, number> = {
    oracle: 4000,
    sap: 90010000,
    kingdee: 100,
    yonyou: 200,
    fapiao: 1_000_000,
  };
  const invoices: OpenInvoice[] = [];
  // Customers' invoices interleave in issue order, as in a real ledger: neighbours in a number
  // sequence belong to different customers as often as to the same one.
  const plan: { customer: Customer; issue: string; currency: string; fixedFee: string | null }[] = [];
  for (const customer of customers) {
    const count = g.int(2, 18);
    // A few customers pay a fixed monthly fee: several open invoices of the same amount.
    const fixedFee = g.chance(0.06) ? `${g.int(2, 60)}000.00` : null;
    for (let i = 0; i < count; i++) {
      plan.push({
        customer,
        issue: addDays('2026-05-01', g.int(0, 200)),
        currency: g.chance(0.85) ? (customer.currencies[0] as string) : g.pick(customer.currencies),
        fixedFee,
      });
    }
  }
  plan.sort((a, b) => (a.issue < b.issue ? -1 : a.issue > b.issue ? 1 : 0));
  for (const { customer, issue, currency, fixedFee } of plan) {
    const erp = customer.erp;
    seq[erp] += erp === 'fapiao' ? g.int(1, 40) : 1;
    const n = seq[erp];
    const month = issue.slice(2, 4) + issue.slice(5, 7);
    const number =
      erp === 'oracle'
        ? `INV-2026-${String(n).padStart(6, '0')}`
        : erp === 'sap'
          ? String(n)
          : erp === 'kingdee'
            ? `AR${issue.slice(0, 4)}${issue.slice(5, 7)}${String(n).padStart(4, '0')}`
            : erp === 'yonyou'
              ? `YS-${month}-${String(n).padStart(5, '0')}`
              : `2644200000${String(n).padStart(10, '0')}`;
    let major: number;
    if (fixedFee !== null && g.chance(0.7)) major = Number(fixedFee);
    else if (g.chance(0.1)) major = g.int(1, 50) * 1000;
    else
      major =
        Math.round(Math.exp(Math.log(300) + g.random() * (Math.log(300_000) - Math.log(300))) * 100) / 100;
    const total = Money.of(major.toFixed(2), currency);
    const paidShare = g.random();
    // 10 % already paid (references to them are duplicate payments), 12 % partly paid.
    const status: OpenInvoice['status'] =
      paidShare < 0.1 ? 'paid' : paidShare < 0.22 ? 'partially_paid' : 'open';
    const open =
      status === 'paid'
        ? Money.zero(currency)
        : status === 'partially_paid'
          ? Money.fromMinor((total.minor * BigInt(g.int(20, 80))) / 100n, currency)
          : total;
    invoices.push({
      invoiceId: `inv-${String(invoices.length + 1).padStart(5, '0')}`,
      number,
      customerId: customer.customerId,
      currency,
      open,
      issueDate: issue,
      dueDate: addDays(issue, g.pick([30, 30, 45, 60, 90])),
      status,
      kind: 'invoice',
    });
  }
  return invoices;
}

/** How a payer writes an invoice number: as printed, compact, spaced, without its prefix, with `No.`. */
function writeNumber(g: Gen, number: string): string {
  const r = g.random();
  if (r < 0.45) return number;
  if (r < 0.6) return number.replace(/[^A-Za-z0-9]/g, '');
  if (r < 0.7) return number.replace(/-/g, ' ');
  if (r < 0.75) return number.toLowerCase();
  if (r < 0.92 && /^[A-Z]+/.test(number)) return number.replace(/^[A-Z]+-?/, '');
  return `No.${number}`;
}

function ocrNoise(g: Gen, written: string): string {
  const positions = [...written].map((c, i) => (OCR[c] ? i : -1)).filter((i) => i >= 0);
  if (positions.length === 0) return written;
  const chars = [...written];
  for (const i of g.shuffle(positions).slice(0, g.int(1, Math.min(3, positions.length)))) {
    chars[i] = g.pick(OCR[chars[i] as string] as string[]);
  }
  return chars.join('');
}

function typo(g: Gen, number: string): string {
  const digits = [...number].map((c, i) => (/[0-9]/.test(c) ? i : -1)).filter((i) => i >= 0);
  // Typos land in the distinctive tail, not the year people copy right.
  const tail = digits.slice(-Math.max(3, Math.floor(digits.length / 2)));
  const chars = [...number];
  const i = g.pick(tail);
  const kind = g.int(0, 2);
  if (kind === 0) {
    const c = chars[i] as string;
    let d = c;
    while (d === c) d = String(g.int(0, 9));
    chars[i] = d;
  } else if (kind === 1 && tail.includes(i - 1)) {
    [chars[i - 1], chars[i]] = [chars[i] as string, chars[i - 1] as string];
  } else {
    chars.splice(i, 1);
  }
  return chars.join('');
}

const NOISE_CN = [
  '货款',
  '转账',
  '支付货款',
  '付款',
  '网银转账',
  '往来款',
  '谢谢',
  '合同号HT-2026-',
  '电话13812345678',
  '经办人王',
];
const NOISE_EN = ['PAYMENT', 'THANK YOU', 'PO 45000', 'REF', 'TRANSFER', 'ORDER 7781', 'AP RUN 2026-12'];

function noise(g: Gen, chinese: boolean): string {
  const base = g.pick(chinese ? NOISE_CN : NOISE_EN);
  return /[-0]$/.test(base) ? `${base}${g.int(10, 999)}` : base;
}

function remittance(g: Gen, chinese: boolean, refs: string[]): string {
  const joined = refs.join(g.pick(chinese ? ['，', '、', ' / ', ', '] : [', ', ' / ', ' AND ', '; ']));
  const templates = chinese
    ? [
        `货款 ${joined}`,
        `支付${joined}货款`,
        `发票号:${joined}`,
        `付${joined}`,
        joined,
        `${joined} 谢谢`,
        `发票号码 ${joined}`,
      ]
    : [
        `INVOICE ${joined}`,
        `PAYMENT FOR INV ${joined}`,
        `/INV/${joined}`,
        `Inv. ${joined} thank you`,
        joined,
        `RE: ${joined}`,
      ];
  const text = g.pick(templates);
  return g.chance(0.35)
    ? `${noise(g, chinese)} ${text}`
    : g.chance(0.2)
      ? `${text} ${noise(g, chinese)}`
      : text;
}

/** The payer name as a bank prints it. */
function payerNameOf(g: Gen, customer: Customer): string {
  const name = customer.names[0] as string;
  const r = g.random();
  if (customer.names.length > 1 && r < 0.06) return (customer.names[1] as string).toUpperCase();
  if (customer.chinese) {
    if (r < 0.35) return name;
    if (r < 0.55) return name.replace(/(股份有限公司|有限责任公司|有限公司)$/, '');
    if (r < 0.68) return toTraditional(name);
    if (r < 0.78) return name.slice(0, Math.min(name.length, 12));
    if (r < 0.86)
      return `${name.replace(/(股份有限公司|有限责任公司|有限公司)$/, '')}${g.pick(REGIONS)}分公司`;
    if (r < 0.9) return fullWidth(name);
    if (r < 0.95) {
      // One character keyed wrong (a homophone picked from the IME list).
      const chars = [...name];
      const i = g.int(2, Math.min(chars.length - 3, 6));
      chars[i] = g.pick(['华', '化', '鑫', '新', '通', '同', '源', '元']);
      return chars.join('');
    }
    return `${name}（${g.pick(['基本户', '一般户'])}）`;
  }
  if (r < 0.3) return name.toUpperCase();
  if (r < 0.5) return name.toUpperCase().replace(/[.,]/g, '');
  if (r < 0.6) return name.replace(/ (Co\., Ltd\.|Limited)$/, ' Company Limited');
  if (r < 0.72) {
    // One typo in the name.
    const chars = [...name];
    const i = g.int(1, Math.min(chars.length - 2, 10));
    chars.splice(i, 1);
    return chars.join('');
  }
  if (r < 0.8) return fullWidth(name.toUpperCase());
  return name;
}

function accountOf(g: Gen, customer: Customer): string | null {
  if (customer.accounts.length > 0 && g.chance(0.6)) return g.pick(customer.accounts);
  return g.chance(0.5) ? `6230 ${g.int(1000, 9999)} ${g.int(1000, 9999)} ${g.int(1000, 9999)}` : null;
}

/** The value a payer sends for a set of invoices; bigints of minor units. */
const sumOpen = (list: readonly OpenInvoice[]): bigint => list.reduce((s, i) => s + i.open.minor, 0n);

/**
 * Is there another set of this customer's open invoices (same currency), no larger than `size`,
 * that makes `target`? Brute force over all subsets up to that size: the honest test of whether
 * the amount alone can tell which invoices were meant.
 */
function otherExplanation(
  open: readonly OpenInvoice[],
  target: bigint,
  intended: ReadonlySet<string>,
  size: number,
): boolean {
  const n = open.length;
  const walk = (from: number, left: bigint, chosen: string[]): boolean => {
    if (left === 0n && chosen.length > 0)
      return !(chosen.length === intended.size && chosen.every((c) => intended.has(c)));
    if (chosen.length === size || left < 0n) return false;
    for (let i = from; i < n; i++) {
      const inv = open[i] as OpenInvoice;
      chosen.push(inv.invoiceId);
      if (walk(i + 1, left - inv.open.minor, chosen)) return true;
      chosen.pop();
    }
    return false;
  };
  return walk(0, target, []);
}

export function generateLabelledSet(options: LabelledSetOptions = {}): LabelledSet {
  const g = new Gen(options.seed ?? 20261207);
  const customers = makeCustomers(g, options.customers ?? 400);
  const invoices = makeInvoices(g, customers);
  const caseCount = options.cases ?? 1500;

  const openByCustomer = new Map<string, OpenInvoice[]>();
  for (const inv of invoices) {
    if (!inv.open.isPositive()) continue;
    const key = `${inv.customerId}|${inv.currency}`;
    openByCustomer.set(key, [...(openByCustomer.get(key) ?? []), inv]);
  }
  const openOf = (c: Customer, currency: string): OpenInvoice[] =>
    [...(openByCustomer.get(`${c.customerId}|${currency}`) ?? [])].sort((a, b) =>
      `${a.dueDate}|${a.number}` < `${b.dueDate}|${b.number}` ? -1 : 1,
    );
  const byCurrency = (c: Customer): { currency: string; open: OpenInvoice[] } | null => {
    const currency = c.currencies.find((cur) => openOf(c, cur).length > 0);
    return currency === undefined ? null : { currency, open: openOf(c, currency) };
  };
  // Short names shared by two customers or more ("上海华联"): the ambiguity a name alone carries.
  const shortNames = new Map<string, Customer[]>();
  for (const c of customers) {
    if (!c.chinese) continue;
    const short = (c.names[0] as string).slice(0, 4);
    shortNames.set(short, [...(shortNames.get(short) ?? []), c]);
  }
  const sharedShortNames = [...shortNames.entries()].filter(([, list]) => list.length > 1);

  const weights: [CaseKind, number][] = [
    ['explicit', 8],
    ['reference', 20],
    ['reference_ocr', 8],
    ['reference_typo', 6],
    ['several_references', 10],
    ['partial_with_reference', 7],
    ['creditor_reference', 5],
    ['amount_by_name', 8],
    ['combination', 6],
    ['account_only', 5],
    ['customer_given_no_reference', 5],
    // With the cases relabelled on the way (a second explanation of the amount): about 8 % of all.
    ['ambiguous', 10],
  ];
  const totalWeight = weights.reduce((s, [, w]) => s + w, 0);
  const cases: LabelledCase[] = [];
  let attempts = 0;
  while (cases.length < caseCount && attempts < caseCount * 20) {
    attempts++;
    let r = g.random() * totalWeight;
    let kind: CaseKind = 'reference';
    for (const [k, w] of weights) {
      if ((r -= w) < 0) {
        kind = k;
        break;
      }
    }
    const customer = g.pick(customers);
    const book = byCurrency(customer);
    if (book === null) continue;
    const made = makeCase(kind, customer, book.currency, book.open);
    if (made === null) continue;
    cases.push({ id: `case-${String(cases.length + 1).padStart(5, '0')}`, ...made });
  }
  return { customers, invoices, cases };

  function makeCase(
    kind: CaseKind,
    customer: Customer,
    currency: string,
    open: OpenInvoice[],
  ): Omit<LabelledCase, 'id'> | null {
    const receivedOn = addDays('2026-12-01', g.int(0, 6));
    const base = {
      receivedOn,
      payerName: payerNameOf(g, customer),
      payerAccount: accountOf(g, customer),
    };
    const auto = (allocations: LabelledAllocation[]): LabelledCase['truth'] => ({
      decision: 'auto_apply',
      customerId: customer.customerId,
      allocations,
    });
    const full = (list: OpenInvoice[]): LabelledAllocation[] =>
      list.map((i) => ({ invoiceId: i.invoiceId, amount: i.open }));
    const one = g.pick(open);
    switch (kind) {
      case 'explicit': {
        const chosen = g.shuffle([...open]).slice(0, g.int(1, Math.min(2, open.length)));
        const allocations = chosen.map((i) => ({
          invoiceId: i.invoiceId,
          amount: g.chance(0.7)
            ? i.open
            : Money.fromMinor((i.open.minor * BigInt(g.int(10, 90))) / 100n || 1n, currency),
        }));
        const extra = g.chance(0.2) ? BigInt(g.int(1, 50000)) : 0n;
        const amount = Money.fromMinor(
          allocations.reduce((s, a) => s + a.amount.minor, 0n) + extra,
          currency,
        );
        return {
          kind,
          payment: { amount, receivedOn, customerId: customer.customerId, allocations },
          truth: auto(allocations),
        };
      }
      case 'reference':
      case 'reference_ocr':
      case 'reference_typo': {
        let written = writeNumber(g, one.number);
        if (kind === 'reference_ocr') written = ocrNoise(g, written);
        if (kind === 'reference_typo') written = typo(g, one.number);
        if (written === one.number && kind !== 'reference') return null;
        let text = remittance(g, customer.chinese, [written]);
        let amount = one.open;
        let payerName = base.payerName;
        if (kind === 'reference' && currency !== 'CNY' && g.chance(0.3)) {
          // An international wire: the banks took their charges (OUR/SHA), the invoice stays partly open.
          const fee = BigInt(g.pick([1500, 2000, 2500, 3500]));
          if (one.open.minor <= fee * 2n) return null;
          amount = Money.fromMinor(one.open.minor - fee, currency);
        } else if (kind === 'reference' && g.chance(0.08)) {
          // A parent or sister company pays for the customer; its name is in no customer's record.
          payerName = customer.chinese
            ? `${g.pick(REGIONS)}${g.pick(CORES)}控股集团有限公司`
            : 'HOLDING TREASURY CENTRE';
        } else if (g.chance(0.08) && text.length > 20) {
          // MT940 :86: and old bank exports cut the text at a field length, sometimes mid-number.
          const cut = text.indexOf(written) + written.length - 1;
          if (cut > 0 && cut < text.length) text = text.slice(0, cut);
        }
        const truth = amount.equals(one.open) ? full([one]) : [{ invoiceId: one.invoiceId, amount }];
        return { kind, payment: { ...base, payerName, amount, remittanceText: text }, truth: auto(truth) };
      }
      case 'several_references': {
        if (open.length < 2) return null;
        const chosen = g.shuffle([...open]).slice(0, g.int(2, Math.min(4, open.length)));
        return {
          kind,
          payment: {
            ...base,
            amount: Money.fromMinor(sumOpen(chosen), currency),
            // Now and then one of the numbers is scanned badly.
            remittanceText: remittance(
              g,
              customer.chinese,
              chosen.map((i) =>
                g.chance(0.1) ? ocrNoise(g, writeNumber(g, i.number)) : writeNumber(g, i.number),
              ),
            ),
          },
          truth: auto(full(chosen)),
        };
      }
      case 'partial_with_reference': {
        const part = (one.open.minor * BigInt(g.int(30, 90))) / 100n + BigInt(g.int(0, 99));
        if (part <= 0n || part >= one.open.minor) return null;
        const amount = Money.fromMinor(part, currency);
        return {
          kind,
          payment: {
            ...base,
            amount,
            remittanceText: remittance(g, customer.chinese, [writeNumber(g, one.number)]),
          },
          truth: auto([{ invoiceId: one.invoiceId, amount }]),
        };
      }
      case 'creditor_reference': {
        const body = one.number.replace(/[^A-Za-z0-9]/g, '');
        if (body.length > 21) return null;
        const rf = creditorReferenceFor(body);
        const spaced = g.chance(0.5) ? rf.replace(/(.{4})/g, '$1 ').trim() : rf;
        return {
          kind,
          payment: {
            ...base,
            amount: one.open,
            // In the structured field (camt Strd/CdtrRefInf), or only inside the free text.
            ...(g.chance(0.7)
              ? {
                  creditorReference: spaced,
                  remittanceText: g.chance(0.5) ? noise(g, customer.chinese) : null,
                }
              : { creditorReference: null, remittanceText: `${noise(g, customer.chinese)} ${spaced}` }),
          },
          truth: auto(full([one])),
        };
      }
      case 'amount_by_name':
      case 'account_only': {
        // No reference: the amount of one open invoice; the payer known by name, or by account only.
        const byAccount = kind === 'account_only';
        if (byAccount && customer.accounts.length === 0) return null;
        const payment: PaymentCandidate = {
          receivedOn,
          amount: one.open,
          payerName: byAccount ? g.pick([...PERSONS, '网银转账', null]) : base.payerName,
          payerAccount: byAccount ? g.pick(customer.accounts) : base.payerAccount,
          remittanceText: g.chance(0.6) ? noise(g, customer.chinese) : null,
        };
        if (otherExplanation(open, one.open.minor, new Set([one.invoiceId]), 1)) {
          return {
            kind: 'ambiguous',
            note: 'two open invoices of the payer with this amount, no reference',
            payment,
            truth: { decision: 'needs_review' },
          };
        }
        return { kind, payment, truth: auto(full([one])) };
      }
      case 'combination': {
        if (open.length < 2) return null;
        const chosen = g.shuffle([...open]).slice(0, g.int(2, Math.min(3, open.length)));
        const target = sumOpen(chosen);
        const payment: PaymentCandidate = {
          ...base,
          payerAccount:
            g.chance(0.5) && customer.accounts.length > 0 ? g.pick(customer.accounts) : base.payerAccount,
          amount: Money.fromMinor(target, currency),
          remittanceText: g.chance(0.5) ? noise(g, customer.chinese) : null,
        };
        if (otherExplanation(open, target, new Set(chosen.map((i) => i.invoiceId)), chosen.length)) {
          return {
            kind: 'ambiguous',
            note: 'another set of open invoices makes the same amount',
            payment,
            truth: { decision: 'needs_review' },
          };
        }
        return { kind, payment, truth: auto(full(chosen)) };
      }
      case 'customer_given_no_reference': {
        // A REST payment naming the customer, no split: the policy is oldest due first.
        const k = g.int(1, Math.min(3, open.length));
        const oldest = open.slice(0, k);
        let amount = sumOpen(oldest);
        const next = open[k];
        if (next !== undefined && g.chance(0.5)) amount += (next.open.minor * BigInt(g.int(10, 90))) / 100n;
        const allocations: LabelledAllocation[] = [];
        let left = amount;
        for (const inv of open) {
          if (left <= 0n) break;
          const take = left < inv.open.minor ? left : inv.open.minor;
          allocations.push({ invoiceId: inv.invoiceId, amount: Money.fromMinor(take, currency) });
          left -= take;
        }
        const payment: PaymentCandidate = {
          receivedOn,
          amount: Money.fromMinor(amount, currency),
          customerId: customer.customerId,
        };
        // If some other set of invoices makes the amount exactly, the payer may have meant that one.
        const intended = new Set(
          allocations
            .filter((a) => a.amount.equals(open.find((i) => i.invoiceId === a.invoiceId)?.open ?? a.amount))
            .map((a) => a.invoiceId),
        );
        const exactlyOldest = allocations.length === intended.size;
        if (otherExplanation(open, amount, exactlyOldest ? intended : new Set(), 4)) {
          return {
            kind: 'ambiguous',
            note: 'the amount is also exactly another set of open invoices',
            payment,
            truth: { decision: 'needs_review' },
          };
        }
        return { kind, payment, truth: auto(allocations) };
      }
      case 'ambiguous':
        return makeAmbiguous(customer, currency, open, receivedOn);
      default:
        return null;
    }
  }

  function makeAmbiguous(
    customer: Customer,
    currency: string,
    open: OpenInvoice[],
    receivedOn: string,
  ): Omit<LabelledCase, 'id'> | null {
    const review = { decision: 'needs_review' } as const;
    const randomAmount = (): Money => Money.fromMinor(BigInt(g.int(10_000, 5_000_000)), currency);
    const variant = g.int(0, 6);
    switch (variant) {
      case 0:
        // Someone not in the book pays an amount no invoice has.
        return {
          kind: 'ambiguous',
          note: 'unknown payer, no reference',
          payment: {
            receivedOn,
            amount: randomAmount(),
            payerName: g.pick(PERSONS),
            remittanceText: g.chance(0.5) ? noise(g, true) : null,
          },
          truth: review,
        };
      case 1: {
        // A short name two customers share, and an amount on account that fits no invoice.
        const [short] = g.pick(
          sharedShortNames.length > 0 ? sharedShortNames : [['', []] as [string, Customer[]]],
        );
        if (short === '') return null;
        return {
          kind: 'ambiguous',
          note: `short name "${short}" shared by several customers`,
          payment: {
            receivedOn,
            amount: randomAmount(),
            payerName: short,
            remittanceText: g.pick(['货款', '往来款', null]),
          },
          truth: review,
        };
      }
      case 2: {
        // A duplicate payment: the invoice referenced is already paid.
        const paid = invoices.filter((i) => i.customerId === customer.customerId && i.status === 'paid');
        if (paid.length === 0) return null;
        const inv = g.pick(paid);
        return {
          kind: 'ambiguous',
          note: 'references an invoice already paid',
          payment: {
            receivedOn,
            amount: Money.fromMinor(BigInt(g.int(10_000, 5_000_000)), inv.currency),
            payerName: payerNameOf(g, customer),
            remittanceText: remittance(g, customer.chinese, [inv.number]),
          },
          truth: review,
        };
      }
      case 3: {
        // The payer's account is known, but the amount explains nothing and no invoice is named.
        if (customer.accounts.length === 0) return null;
        const amount = randomAmount();
        if (otherExplanation(open, amount.minor, new Set(), 4)) return null;
        return {
          kind: 'ambiguous',
          note: 'known payer, unexplained amount, no reference',
          payment: {
            receivedOn,
            amount,
            payerAccount: g.pick(customer.accounts),
            payerName: payerNameOf(g, customer),
          },
          truth: review,
        };
      }
      case 4: {
        // The invoice is in another currency than the payment: an explicit rate is needed.
        const other = invoices.filter(
          (i) => i.customerId === customer.customerId && i.open.isPositive() && i.currency !== currency,
        );
        const inv = other.length > 0 ? g.pick(other) : null;
        if (inv === null) return null;
        return {
          kind: 'ambiguous',
          note: `invoice in ${inv.currency}, payment in ${currency}`,
          payment: {
            receivedOn,
            amount: Money.fromMinor(inv.open.minor, currency),
            payerName: payerNameOf(g, customer),
            remittanceText: remittance(g, customer.chinese, [inv.number]),
          },
          truth: review,
        };
      }
      case 5: {
        // Pays one referenced invoice and an unexplained extra on top.
        const inv = g.pick(open);
        return {
          kind: 'ambiguous',
          note: 'overpays a referenced invoice by an unexplained amount',
          payment: {
            receivedOn,
            amount: Money.fromMinor(inv.open.minor + BigInt(g.int(1_000, 900_000)), currency),
            payerName: payerNameOf(g, customer),
            remittanceText: remittance(g, customer.chinese, [writeNumber(g, inv.number)]),
          },
          truth: review,
        };
      }
      default: {
        // Fixed-fee customers: several months of the same amount, none named.
        const counts = new Map<string, OpenInvoice[]>();
        for (const inv of open)
          counts.set(inv.open.toString(), [...(counts.get(inv.open.toString()) ?? []), inv]);
        const twins = [...counts.values()].find((list) => list.length > 1);
        if (twins === undefined) return null;
        return {
          kind: 'ambiguous',
          note: 'several open invoices of the same amount, none named',
          payment: {
            receivedOn,
            amount: (twins[0] as OpenInvoice).open,
            payerName: payerNameOf(g, customer),
            payerAccount: accountOf(g, customer),
          },
          truth: review,
        };
      }
    }
  }
}

/** Whether a result's split equals the label's exactly (same invoices, same amounts). */
export function sameAllocations(
  a: readonly { invoiceId: string; amount: Money }[],
  b: readonly { invoiceId: string; amount: Money }[],
): boolean {
  const key = (list: readonly { invoiceId: string; amount: Money }[]): string =>
    list
      .map((x) => `${x.invoiceId}=${x.amount.toString()}`)
      .sort()
      .join(';');
  return key(a) === key(b);
}
