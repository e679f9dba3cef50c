import fc from 'fast-check';
import {
  canonicalNumber,
  extractNumberMentions,
  invoiceNumberIndexKeys,
  isOneEditApart,
  matchMention,
  mentionQueryKeys,
  osaDistance,
  type NumberMention,
} from './invoice-numbers';

function mentionFor(
  text: string,
  number: string,
): { mention: NumberMention; kind: string; corrections: string[] } | null {
  const keys = new Set(invoiceNumberIndexKeys(number));
  const rank = ['exact', 'ocr_corrected', 'without_prefix', 'one_typo'];
  let best: { mention: NumberMention; kind: string; corrections: string[] } | null = null;
  for (const mention of extractNumberMentions(text, 'remittance')) {
    if (!mentionQueryKeys(mention).some((k) => keys.has(k))) continue;
    const match = matchMention(mention, number);
    if (match !== null && (best === null || rank.indexOf(match.kind) < rank.indexOf(best.kind))) {
      best = { mention, kind: match.kind, corrections: match.corrections };
    }
  }
  return best;
}

describe('invoice numbers in remittance text', () => {
  it.each([
    ['INV-2026-004217', 'exact'],
    ['货款 INV-2026-004217 谢谢', 'exact'],
    ['发票号:INV2026004217', 'exact'],
    ['inv-2026-004217', 'exact'],
    ['INV 2026 004217', 'exact'],
    ['ＩＮＶ－２０２６－００４２１７', 'exact'],
    ['No.2026-004217', 'without_prefix'],
    ['发票号码 2026004217', 'without_prefix'],
    ['lNV-2O26-0O4217', 'ocr_corrected'],
    ['INV-2026-OO42I7', 'ocr_corrected'],
    ['INV-2026-004271', 'one_typo'],
    ['INV-2026-00417', 'one_typo'],
  ])('%s reads INV-2026-004217 (%s)', (text, kind) => {
    expect(mentionFor(text, 'INV-2026-004217')?.kind).toBe(kind);
  });

  it('names the OCR corrections as written', () => {
    expect(mentionFor('lNV-2O26-0O4217', 'INV-2026-004217')?.corrections.sort()).toEqual(
      ['O→0', 'l→I'].sort(),
    );
    expect(mentionFor('AR2026S10042', 'AR2026510042')?.corrections).toEqual(['S→5']);
    expect(mentionFor('9OO1OO8B', '90010088')?.kind).toBe('ocr_corrected');
  });

  it('finds several numbers and keeps them apart', () => {
    const text = '支付 INV-2026-004217，INV-2026-004218 / YS-2611-00042';
    for (const number of ['INV-2026-004217', 'INV-2026-004218', 'YS-2611-00042']) {
      expect(mentionFor(text, number)?.kind).toBe('exact');
    }
    // The comma separates: no window joins the two numbers into one.
    expect(extractNumberMentions(text, 'r').map((m) => m.compact)).not.toContain(
      'INV2026004217INV2026004218',
    );
  });

  it('does not read another document type, a year or a date as an invoice number', () => {
    expect(mentionFor('PO 2026004217', 'INV-2026-004217')).toBeNull();
    expect(mentionFor('订单号:2026004217', 'INV-2026-004217')).toBeNull();
    expect(mentionFor('合同号 INV-2026-004217', 'INV-2026-004217')?.kind).toBe('exact');
    expect(mentionFor('payment 2026', 'INV-2026-004217')).toBeNull();
    expect(mentionFor('2026-12-01', '20261201')?.kind).toBe('exact');
    expect(mentionFor('2026-12-01', 'INV-2026-004217')).toBeNull();
    expect(mentionFor('INV-2026-009999', 'INV-2026-004217')).toBeNull();
  });

  it('canonicalises look-alikes on both sides the same way', () => {
    expect(canonicalNumber('lNV-2O26-0O42I7')).toBe(canonicalNumber('INV-2026-004217'));
    expect(canonicalNumber('B5S0')).toBe('8550');
  });

  it('tells one edit apart in linear time as the full distance does', () => {
    // Pairs near each other: b is a with one or two random edits.
    const edit = (text: string, at: number, kind: number, ch: string): string =>
      kind === 0
        ? text.slice(0, at) + ch + text.slice(at)
        : kind === 1
          ? text.slice(0, at) + text.slice(at + 1)
          : kind === 2
            ? text.slice(0, at) + ch + text.slice(at + 1)
            : text.slice(0, at) + text.slice(at + 1, at + 2) + text.slice(at, at + 1) + text.slice(at + 2);
    const editArb = fc.tuple(fc.nat(9), fc.nat(3), fc.constantFrom('0', '1', '7'));
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9]{0,9}$/),
        fc.array(editArb, { minLength: 0, maxLength: 2 }),
        (a, edits) => {
          const b = edits.reduce((t, [at, kind, ch]) => edit(t, at % (t.length + 1), kind, ch), a);
          expect(isOneEditApart(a, b)).toBe(osaDistance(a, b) === 1);
        },
      ),
      { numRuns: 3000 },
    );
    expect(isOneEditApart('2026004217', '2026004271')).toBe(true);
    expect(isOneEditApart('2026004217', '202604217')).toBe(true);
    expect(isOneEditApart('2026004217', '2026004217')).toBe(false);
  });

  it('counts a swap of two characters as one typo', () => {
    expect(osaDistance('2026004217', '2026004271')).toBe(1);
    expect(osaDistance('2026004217', '2026004217')).toBe(0);
    expect(osaDistance('2026004217', '2026007412')).toBeGreaterThan(1);
  });
});
