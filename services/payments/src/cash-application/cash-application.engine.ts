import { Money, sumMoney } from '@duemap/money';
import { PaymentsErrorCode, PaymentsException } from '../common/payments.exception';
import { findCombination } from './amount-combinations';
import {
  DEFAULT_CASH_APPLICATION_CONFIG,
  type CashApplicationConfig,
  type CashApplicationResult,
  type CustomerMatch,
  type CustomerProfile,
  type MatchRule,
  type OpenInvoice,
  type OpenItemsView,
  type PaymentCandidate,
  type ReviewReason,
  type SuggestedAllocation,
} from './cash-application.types';
import { findCreditorReferences, parseCreditorReference } from './creditor-reference';
import {
  extractNumberMentions,
  invoiceNumberIndexKeys,
  matchMention,
  mentionQueryKeys,
  type NumberMatch,
  type NumberMatchKind,
  type NumberMention,
} from './invoice-numbers';
import { bestNameSimilarity, customerNameIndexKeys, normaliseAccount } from './payer-names';

/**
 * The confidence model (ADR 0031). Each number is the engine's belief that a piece of evidence is
 * right on its own; independent pieces that agree are combined as a noisy-OR, 1 − Π(1 − pᵢ), and a
 * payment is only as sure as its weakest allocation or its customer.
 */
export const CONFIDENCE = Object.freeze({
  explicit: 1,
  customerGiven: 1,
  bankAccount: 0.99,
  /** A name at or above this similarity identifies the payer on its own... */
  nameIdentifies: 0.93,
  /** ...when the runner-up is at least this far behind. */
  nameMargin: 0.04,
  /** Below this a name is not even a candidate. */
  nameCandidate: 0.8,
  /** Ceiling for a customer found by name alone (banks cut and mangle names). */
  nameMax: 0.97,
  reference: {
    exact: 0.98,
    ocr_corrected: 0.96,
    without_prefix: 0.96,
    one_typo: 0.7,
  } satisfies Record<NumberMatchKind, number>,
  validCreditorReference: 0.99,
  /**
   * A number of eight digits or fewer, no prefix: order, customer and voucher numbers look the
   * same, so it needs the amount or the payer to agree before it applies by itself.
   */
  shortNumericReference: 0.88,
  /** Payment equals what the referenced invoices have open: the amount confirms the reading. */
  amountAgrees: 0.8,
  /** The same for a round amount (a multiple of 1,000 major units), which many invoices share. */
  roundAmountAgrees: 0.5,
  /** The payer, found independently, owns the referenced invoice (scaled by that customer's confidence). */
  customerAgrees: 0.6,
  /** Several referenced invoices, paid short: which one is short is a guess. */
  referencesShortPaid: 0.8,
  /** Exactly one of the customer's open invoices equals the amount. */
  exactAmount: 0.95,
  /** Exactly one combination of the customer's open invoices equals the amount (few candidates)... */
  combination: 0.92,
  /** ...out of more than 500 possible sets of that size, a coincidence is likelier... */
  combinationManySets: 0.9,
  /** ...and out of more than 3,000 (4 of 18 invoices), one is expected now and then: a person checks. */
  combinationVeryManySets: 0.85,
  /** A combination found before the search budget ran out, uniqueness not proven. */
  combinationTruncated: 0.85,
  /** Two ways to make the amount: a person chooses. */
  amountTie: 0.6,
  /** No customer known: the only open invoice in the whole book with this amount. */
  globalExactAmount: 0.75,
  /** Oldest-due-first when the caller named the customer and gave no split (the policy asked for). */
  oldestDueFirstGiven: 0.95,
  /** Oldest-due-first for a customer the engine inferred: a guess about both who and what. */
  oldestDueFirstInferred: 0.8,
});

const noisyOr = (...p: number[]): number => 1 - p.reduce((miss, x) => miss * (1 - x), 1);
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

interface ReferenceHit {
  invoice: OpenInvoice;
  mention: NumberMention;
  match: NumberMatch;
  validRf: boolean;
  confidence: number;
}

interface NameCandidate {
  profile: CustomerProfile;
  score: number;
  name: string;
}

/** What the engine knows about the payer before it looks at invoices (the brief's step 4, run first: it corroborates 2 and 3). */
interface PayerIdentity {
  /** Given by the caller, or the only owner of the paying account. */
  strong: CustomerMatch | null;
  /** Name candidates at or above CONFIDENCE.nameCandidate, best first. */
  names: NameCandidate[];
  /** The name candidate that identifies the payer on its own, if one does. */
  byName: CustomerMatch | null;
  /** Owners of a shared account (family companies); the name chooses among them. */
  accountOwners: string[];
}

const MATCH_RANK: Record<NumberMatchKind, number> = {
  exact: 3,
  ocr_corrected: 2,
  without_prefix: 2,
  one_typo: 1,
};

function compareOldestDueFirst(a: OpenInvoice, b: OpenInvoice): number {
  const key = (i: OpenInvoice): string =>
    `${i.dueDate ?? '9999-99-99'}|${i.issueDate ?? '9999-99-99'}|${i.number}|${i.invoiceId}`;
  const ka = key(a);
  const kb = key(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Whether an invoice can take money from this payment at all (open, payable, same currency). */
function isPayable(invoice: OpenInvoice, payment: Money): boolean {
  return (
    invoice.currency === payment.currency &&
    invoice.status !== 'paid' &&
    invoice.status !== 'void' &&
    invoice.kind !== 'credit_note' &&
    invoice.open.isPositive()
  );
}

function describeMisfit(invoice: OpenInvoice, payment: Money, customer: CustomerMatch | null): string {
  if (invoice.currency !== payment.currency) return `it is in ${invoice.currency}`;
  if (!isPayable(invoice, payment)) return `it is ${invoice.status}`;
  if (customer !== null && invoice.customerId !== customer.customerId) return "it is another customer's";
  return `it has ${invoice.open.toString()} open`;
}

function isRound(amount: Money): boolean {
  return amount.minor % (1000n * 10n ** BigInt(amount.digits)) === 0n;
}

/** Mutable working state of one payment; the engine's methods fill it step by step. */
class Draft {
  readonly allocations: SuggestedAllocation[] = [];
  readonly evidence: string[] = [];
  readonly reasons = new Set<ReviewReason>();
  /** Amount already suggested per invoice id (an invoice is never given more than it has open). */
  readonly used = new Map<string, bigint>();
  customer: CustomerMatch | null = null;
  remaining: Money;

  constructor(
    readonly payment: Money,
    /** YYYY-MM-DD value date. */
    readonly receivedOn: string,
  ) {
    this.remaining = payment;
  }

  openOf(invoice: OpenInvoice): Money {
    return Money.fromMinor(invoice.open.minor - (this.used.get(invoice.invoiceId) ?? 0n), invoice.currency);
  }

  allocate(
    invoice: OpenInvoice,
    amount: Money,
    rule: MatchRule,
    confidence: number,
    evidence: string[],
  ): void {
    if (!amount.isPositive()) return;
    const open = this.openOf(invoice);
    if (amount.compare(open) > 0 || amount.compare(this.remaining) > 0) {
      throw new Error(`cash application invariant: ${amount.toString()} exceeds what is open or left`);
    }
    this.used.set(invoice.invoiceId, (this.used.get(invoice.invoiceId) ?? 0n) + amount.minor);
    this.remaining = this.remaining.subtract(amount);
    this.allocations.push({
      invoiceId: invoice.invoiceId,
      invoiceNumber: invoice.number,
      customerId: invoice.customerId,
      amount,
      rule,
      confidence: round3(confidence),
      evidence,
    });
  }
}

/**
 * Decides which invoices a payment pays, in explainable steps (ADR 0031): (1) the payer's explicit
 * split; (2) invoice numbers and RF references in the remittance; (3) the exact amount of one open
 * invoice or of a combination of one customer's; (4) the payer by bank account or name; (5)
 * oldest-due-first for the rest of an identified customer. Pure domain code over a read-only view:
 * the same candidate and view always give the same result.
 */
export class CashApplicationEngine {
  private readonly config: CashApplicationConfig;

  constructor(
    private readonly view: OpenItemsView,
    config: Partial<CashApplicationConfig> = {},
  ) {
    this.config = { ...DEFAULT_CASH_APPLICATION_CONFIG, ...config };
    if (!(this.config.autoApplyThreshold > 0 && this.config.autoApplyThreshold <= 1)) {
      throw new Error(`autoApplyThreshold must be in (0, 1], got ${this.config.autoApplyThreshold}`);
    }
  }

  async apply(candidate: PaymentCandidate): Promise<CashApplicationResult> {
    const payment = candidate.amount;
    if (!payment.isPositive()) {
      throw PaymentsException.forField(
        PaymentsErrorCode.AmountNotPositive,
        'amount',
        `a payment must be greater than zero, got ${payment.toString()}`,
      );
    }
    const draft = new Draft(payment, candidate.receivedOn);
    if (candidate.allocations && candidate.allocations.length > 0) {
      await this.applyExplicit(candidate, draft);
      return this.finish(draft);
    }
    const payer = await this.identifyPayer(candidate, draft);
    draft.customer = payer.strong ?? payer.byName;
    await this.applyReferences(candidate, draft, payer);
    if (draft.remaining.isPositive()) await this.applyAmount(draft, payer);
    if (draft.remaining.isPositive()) await this.applyOldestDueFirst(draft);
    return this.finish(draft);
  }

  // (1) -------------------------------------------------------------------------------------------

  private async applyExplicit(candidate: PaymentCandidate, draft: Draft): Promise<void> {
    const requested = candidate.allocations ?? [];
    const payment = candidate.amount;
    const field = (i: number, name: string): string => `allocations[${i}].${name}`;
    const seen = new Set<string>();
    requested.forEach((a, i) => {
      if (a.amount.currency !== payment.currency) {
        throw PaymentsException.forField(
          PaymentsErrorCode.CurrencyMismatch,
          field(i, 'amount.currency'),
          `allocation is in ${a.amount.currency} but the payment is in ${payment.currency}; no implicit conversion`,
        );
      }
      if (!a.amount.isPositive()) {
        throw PaymentsException.forField(
          PaymentsErrorCode.AmountNotPositive,
          field(i, 'amount'),
          `an allocation must be greater than zero, got ${a.amount.toString()}`,
        );
      }
      if (seen.has(a.invoiceId)) {
        throw PaymentsException.forField(
          PaymentsErrorCode.DuplicateAllocation,
          field(i, 'invoiceId'),
          `invoice ${a.invoiceId} is named by more than one allocation`,
        );
      }
      seen.add(a.invoiceId);
    });
    const total = sumMoney(
      requested.map((a) => a.amount),
      payment.currency,
    );
    if (total.compare(payment) > 0) {
      throw PaymentsException.forField(
        PaymentsErrorCode.AllocationsExceedPayment,
        'allocations',
        `allocations add up to ${total.toString()}, more than the payment of ${payment.toString()}`,
      );
    }
    const invoices = new Map(
      (await this.view.invoicesByIds(requested.map((a) => a.invoiceId))).map((i) => [i.invoiceId, i]),
    );
    let customerId = candidate.customerId ?? null;
    requested.forEach((a, i) => {
      const invoice = invoices.get(a.invoiceId);
      const label = (inv: OpenInvoice): string => inv.number || inv.invoiceId;
      if (invoice === undefined) {
        throw PaymentsException.forField(
          PaymentsErrorCode.InvoiceNotFound,
          field(i, 'invoiceId'),
          `invoice ${a.invoiceId} does not exist`,
        );
      }
      if (customerId !== null && invoice.customerId !== customerId) {
        throw PaymentsException.forField(
          PaymentsErrorCode.InvoiceOfAnotherCustomer,
          field(i, 'invoiceId'),
          `invoice ${label(invoice)} belongs to another customer`,
        );
      }
      customerId = invoice.customerId;
      if (invoice.status === 'void') {
        throw PaymentsException.forField(
          PaymentsErrorCode.InvoiceVoided,
          field(i, 'invoiceId'),
          `invoice ${label(invoice)} is void`,
        );
      }
      if (invoice.kind === 'credit_note') {
        throw PaymentsException.forField(
          PaymentsErrorCode.CreditNoteNotPayable,
          field(i, 'invoiceId'),
          `${label(invoice)} is a credit note; payments are applied to invoices`,
        );
      }
      if (invoice.status === 'paid' || !invoice.open.isPositive()) {
        throw PaymentsException.forField(
          PaymentsErrorCode.InvoiceAlreadyPaid,
          field(i, 'invoiceId'),
          `invoice ${label(invoice)} is already paid`,
        );
      }
      if (invoice.currency !== payment.currency) {
        throw PaymentsException.forField(
          PaymentsErrorCode.CurrencyMismatch,
          field(i, 'amount.currency'),
          `invoice ${label(invoice)} is in ${invoice.currency}, the allocation in ${payment.currency}; no implicit conversion`,
        );
      }
      if (a.amount.compare(invoice.open) > 0) {
        throw PaymentsException.forField(
          PaymentsErrorCode.AllocationExceedsOpenAmount,
          field(i, 'amount'),
          `${a.amount.toString()} is more than the ${invoice.open.toString()} still open on invoice ${label(invoice)}`,
        );
      }
      draft.allocate(invoice, a.amount, 'explicit', CONFIDENCE.explicit, ['allocation given by the payer']);
    });
    if (customerId !== null) {
      draft.customer = {
        customerId,
        rule: 'given',
        confidence: CONFIDENCE.customerGiven,
        evidence: [
          candidate.customerId ? 'customer given with the payment' : 'owner of the allocated invoices',
        ],
      };
    }
    if (draft.remaining.isPositive()) {
      draft.evidence.push(`${draft.remaining.toString()} beyond the payer's split stays unapplied credit`);
    }
  }

  // (4), run first -------------------------------------------------------------------------------

  private async identifyPayer(candidate: PaymentCandidate, draft: Draft): Promise<PayerIdentity> {
    const identity: PayerIdentity = { strong: null, names: [], byName: null, accountOwners: [] };
    if (candidate.customerId) {
      identity.strong = {
        customerId: candidate.customerId,
        rule: 'given',
        confidence: CONFIDENCE.customerGiven,
        evidence: ['customer given with the payment'],
      };
      return identity;
    }
    const account = candidate.payerAccount ? normaliseAccount(candidate.payerAccount) : '';
    if (account.length >= 6) {
      const owners = await this.view.customersByAccount(account);
      identity.accountOwners = owners.map((o) => o.customerId).sort();
      if (owners.length === 1) {
        identity.strong = {
          customerId: (owners[0] as CustomerProfile).customerId,
          rule: 'bank_account',
          confidence: CONFIDENCE.bankAccount,
          evidence: [`payer account ${account} is on file for this customer`],
        };
      } else if (owners.length > 1) {
        draft.evidence.push(`payer account ${account} is on file for ${owners.length} customers`);
      }
    }
    const payerName = candidate.payerName?.trim() ?? '';
    if (payerName !== '') {
      const keys = customerNameIndexKeys(payerName);
      const profiles =
        keys.length === 0 ? [] : await this.view.customersByNameKeys(keys, this.config.maxNameCandidates);
      identity.names = profiles
        .map((profile) => ({ profile, ...bestNameSimilarity(payerName, profile.names) }))
        .filter((c) => c.score >= CONFIDENCE.nameCandidate)
        .filter(
          (c) => identity.accountOwners.length < 2 || identity.accountOwners.includes(c.profile.customerId),
        )
        .sort((a, b) => b.score - a.score || (a.profile.customerId < b.profile.customerId ? -1 : 1));
      const [best, second] = identity.names;
      if (best !== undefined && identity.strong === null) {
        const margin = best.score - (second?.score ?? 0);
        if (best.score >= CONFIDENCE.nameIdentifies && margin >= CONFIDENCE.nameMargin) {
          identity.byName = {
            customerId: best.profile.customerId,
            rule: 'payer_name',
            confidence: round3(Math.min(best.score, CONFIDENCE.nameMax)),
            evidence: [`payer name "${payerName}" ≈ "${best.name}" (similarity ${best.score.toFixed(2)})`],
          };
        } else if (second !== undefined && margin < CONFIDENCE.nameMargin) {
          draft.evidence.push(
            `payer name "${payerName}" is as close to "${best.name}" as to "${second.name}"`,
          );
        }
      } else if (
        best !== undefined &&
        identity.strong !== null &&
        best.profile.customerId !== identity.strong.customerId
      ) {
        if (best.score >= CONFIDENCE.nameIdentifies) {
          draft.evidence.push(`payer name "${payerName}" looks like "${best.name}", not the account's owner`);
        }
      }
    }
    return identity;
  }

  // (2) -------------------------------------------------------------------------------------------

  private mentionsOf(candidate: PaymentCandidate): {
    mentions: NumberMention[];
    validRf: Set<NumberMention>;
  } {
    const mentions: NumberMention[] = [];
    const validRf = new Set<NumberMention>();
    const addRf = (text: string, where: string): boolean => {
      const rf = parseCreditorReference(text);
      if (rf === null) return false;
      const source = `${where} ${rf.reference}${rf.valid ? '' : ` (${rf.reason})`}`;
      for (const m of extractNumberMentions(rf.body, source)) {
        mentions.push(m);
        if (rf.valid) validRf.add(m);
      }
      return true;
    };
    if (candidate.creditorReference) {
      if (!addRf(candidate.creditorReference, 'creditor reference')) {
        mentions.push(...extractNumberMentions(candidate.creditorReference, 'creditor reference'));
      }
    }
    if (candidate.remittanceText) {
      let rest = candidate.remittanceText.normalize('NFKC');
      for (const rf of findCreditorReferences(rest)) {
        addRf(rf.reference, 'remittance');
        // Its pieces ("RF18 5390 0754") are not numbers of their own.
        if (rf.valid) rest = rest.split(rf.written).join(' | ');
      }
      mentions.push(...extractNumberMentions(rest, 'remittance'));
    }
    for (const number of candidate.documentNumbers ?? []) {
      mentions.push(...extractNumberMentions(number, 'document number'));
    }
    if (candidate.endToEndId) mentions.push(...extractNumberMentions(candidate.endToEndId, 'end-to-end id'));
    return { mentions, validRf };
  }

  private async applyReferences(
    candidate: PaymentCandidate,
    draft: Draft,
    payer: PayerIdentity,
  ): Promise<void> {
    const { mentions, validRf } = this.mentionsOf(candidate);
    if (mentions.length === 0) return;
    const keys = [...new Set(mentions.flatMap(mentionQueryKeys))];
    const found = await this.view.invoicesByNumberKeys(keys);
    if (found.length === 0) return;
    const payment = draft.payment;
    const knownCustomer = draft.customer;

    // Every (mention, invoice) pair that matches, surest kind first.
    // Only pairs that share an index key can match (as the look-up found them); not all pairs.
    const mentionsByKey = new Map<string, number[]>();
    mentions.forEach((mention, index) => {
      for (const key of mentionQueryKeys(mention)) {
        const list = mentionsByKey.get(key);
        if (list === undefined) mentionsByKey.set(key, [index]);
        else list.push(index);
      }
    });
    let hits: ReferenceHit[] = [];
    for (const invoice of found) {
      const candidates = new Set<number>();
      for (const key of invoiceNumberIndexKeys(invoice.number)) {
        for (const index of mentionsByKey.get(key) ?? []) candidates.add(index);
      }
      // In the order the mentions were written, so the result does not depend on the index.
      for (const index of [...candidates].sort((a, b) => a - b)) {
        const mention = mentions[index] as NumberMention;
        const match = matchMention(mention, invoice.number);
        if (match === null) continue;
        const rf = validRf.has(mention) && match.kind !== 'one_typo';
        hits.push({
          invoice,
          mention,
          match,
          validRf: rf,
          confidence: rf
            ? CONFIDENCE.validCreditorReference
            : /^[0-9]{1,8}$/.test(mention.compact)
              ? Math.min(CONFIDENCE.reference[match.kind], CONFIDENCE.shortNumericReference)
              : CONFIDENCE.reference[match.kind],
        });
      }
    }
    let exactlyNamed = new Set(
      hits.filter((h) => h.match.kind !== 'one_typo').map((h) => h.invoice.invoiceId),
    );
    // Invoices one typo away from a number read exactly, whose open amount is the payment: if the
    // exact reading does not fit, the payer may have mistyped a number that exists too.
    const readExactly = new Set(hits.filter((h) => h.match.kind !== 'one_typo').map((h) => h.mention));
    const nearMisses = hits.filter(
      (h) =>
        h.match.kind === 'one_typo' &&
        !exactlyNamed.has(h.invoice.invoiceId) &&
        isPayable(h.invoice, payment) &&
        h.invoice.open.equals(payment) &&
        (knownCustomer === null || h.invoice.customerId === knownCustomer.customerId) &&
        readExactly.has(h.mention),
    );
    const nearMissInvoices = [...new Set(nearMisses.map((h) => h.invoice.invoiceId))];
    if (exactlyNamed.size === 1 && nearMissInvoices.length === 1) {
      const written = hits.find((h) => h.match.kind !== 'one_typo') as ReferenceHit;
      const x = written.invoice;
      const fits =
        isPayable(x, payment) &&
        x.open.equals(payment) &&
        (knownCustomer === null || x.customerId === knownCustomer.customerId);
      if (!fits) {
        // Sequential numbering makes most typos another real number: the one written does not fit
        // (paid, other currency or customer, other amount), its neighbour fits the amount exactly.
        hits = nearMisses.filter((h) => h.invoice.invoiceId === nearMissInvoices[0]);
        exactlyNamed = new Set();
        draft.evidence.push(
          `${x.number} as written does not fit (${describeMisfit(x, payment, knownCustomer)}); ${hits[0]?.invoice.number ?? ''}, one typo away, has the payment's amount open`,
        );
      }
    }
    // Per mention keep only its best kind; a typo reading of a mention that also reads exactly is noise.
    const byMention = new Map<NumberMention, ReferenceHit[]>();
    for (const hit of hits) {
      const list = byMention.get(hit.mention);
      if (list === undefined) byMention.set(hit.mention, [hit]);
      else list.push(hit);
    }
    const chosen = new Map<string, ReferenceHit>();
    for (const [mention, list] of byMention) {
      const bestRank = Math.max(...list.map((h) => MATCH_RANK[h.match.kind]));
      let best = list.filter((h) => MATCH_RANK[h.match.kind] === bestRank);
      if (bestRank === 1) {
        // One typo reaches many numbers: keep a reading only if it is corroborated, and only one.
        best = best.filter(
          (h) =>
            !exactlyNamed.has(h.invoice.invoiceId) &&
            h.invoice.currency === payment.currency &&
            h.invoice.open.isPositive() &&
            (h.invoice.customerId === knownCustomer?.customerId ||
              (h.invoice.open.equals(payment) && h.invoice.status !== 'paid')),
        );
        if (best.length > 1) {
          const byAmount = best.filter((h) => h.invoice.open.equals(payment));
          if (byAmount.length === 1) best = byAmount;
        }
        if (best.length > 1) {
          draft.reasons.add('ambiguous_reference');
          draft.evidence.push(
            `"${mention.raw}" is one typo away from ${best.map((h) => h.invoice.number).join(', ')}`,
          );
          continue;
        }
      } else if (best.length > 1) {
        // One written number, several invoices (INV-2026-0042 and SO-2026-0042 written as 2026-0042).
        const mine = best.filter((h) => h.invoice.customerId === knownCustomer?.customerId);
        if (mine.length === 1) best = mine;
        else {
          draft.reasons.add('ambiguous_reference');
          draft.evidence.push(`"${mention.raw}" could be ${best.map((h) => h.invoice.number).join(' or ')}`);
          continue;
        }
      }
      const hit = best[0];
      if (hit === undefined) continue;
      const previous = chosen.get(hit.invoice.invoiceId);
      if (previous === undefined || previous.confidence < hit.confidence)
        chosen.set(hit.invoice.invoiceId, hit);
    }

    // Only open invoices in the payment's currency can take money.
    const usable: ReferenceHit[] = [];
    for (const hit of chosen.values()) {
      const inv = hit.invoice;
      if (inv.currency !== payment.currency) {
        draft.reasons.add('reference_other_currency');
        draft.evidence.push(
          `${describe(hit)} but ${inv.number} is in ${inv.currency}, the payment in ${payment.currency}; no implicit conversion`,
        );
      } else if (
        inv.status === 'void' ||
        inv.status === 'paid' ||
        inv.kind === 'credit_note' ||
        !inv.open.isPositive()
      ) {
        draft.reasons.add('reference_not_open');
        draft.evidence.push(
          `${describe(hit)} but ${inv.number} is ${inv.kind === 'credit_note' ? 'a credit note' : inv.status === 'void' ? 'void' : 'already paid'}`,
        );
      } else {
        usable.push(hit);
      }
    }
    if (usable.length === 0) return;

    // One customer's invoices only: the payer's if known, else the one most referenced.
    const owners = [...new Set(usable.map((h) => h.invoice.customerId))].sort();
    let owner: string;
    if (knownCustomer !== null) {
      owner = knownCustomer.customerId;
      if (owners.some((o) => o !== owner)) {
        draft.reasons.add('references_other_customer');
        draft.evidence.push(
          `referenced ${usable
            .filter((h) => h.invoice.customerId !== owner)
            .map((h) => h.invoice.number)
            .join(', ')} of another customer than the payer`,
        );
      }
    } else {
      const count = (o: string): number => usable.filter((h) => h.invoice.customerId === o).length;
      owner = owners.reduce((a, b) => (count(b) > count(a) ? b : a));
      if (owners.length > 1) {
        draft.reasons.add('ambiguous_reference');
        draft.evidence.push(`references name invoices of ${owners.length} customers`);
      }
      // A name candidate that is someone else than the invoices' owner: a third party pays, or a misreading.
      const nameBest = payer.names[0];
      const ownerNamed = payer.names.some(
        (c) => c.profile.customerId === owner && c.score >= (nameBest?.score ?? 0) - CONFIDENCE.nameMargin,
      );
      if (nameBest !== undefined && !ownerNamed && nameBest.score >= CONFIDENCE.nameIdentifies) {
        draft.reasons.add('references_other_customer');
        draft.evidence.push(`payer name "${nameBest.name}" is not the owner of the referenced invoices`);
      }
    }
    const mine = usable
      .filter((h) => h.invoice.customerId === owner)
      .sort((a, b) => compareOldestDueFirst(a.invoice, b.invoice));
    if (mine.length === 0) return;

    const totalOpen = sumMoney(
      mine.map((h) => draft.openOf(h.invoice)),
      payment.currency,
    );
    const amountAgrees = totalOpen.equals(payment);
    if (!amountAgrees && nearMisses.length > 0) {
      draft.reasons.add('ambiguous_reference');
      draft.evidence.push(
        `the payment equals the open amount of ${nearMisses.map((h) => h.invoice.number).join(', ')}, one typo away from "${nearMisses[0]?.mention.raw ?? ''}"`,
      );
    }
    const amountStrength = isRound(payment) ? CONFIDENCE.roundAmountAgrees : CONFIDENCE.amountAgrees;
    // The payer, found without the references, is the owner: by account or name, or at least a
    // name candidate (a typo in the name) that is the owner.
    const nameOfOwner = payer.names.find((c) => c.profile.customerId === owner);
    const independent =
      knownCustomer?.customerId === owner
        ? knownCustomer
        : knownCustomer === null && nameOfOwner !== undefined
          ? { rule: 'payer_name' as const, confidence: nameOfOwner.score }
          : null;
    const confidenceOf = (hit: ReferenceHit): number =>
      noisyOr(
        hit.confidence,
        amountAgrees ? amountStrength : 0,
        independent ? CONFIDENCE.customerAgrees * independent.confidence : 0,
      );
    const why = (hit: ReferenceHit, extra: string[] = []): string[] => [
      describe(hit),
      ...(amountAgrees ? [`payment equals the ${totalOpen.toString()} open`] : []),
      ...(independent ? [`payer identified independently (${independent.rule})`] : []),
      ...extra,
    ];

    if (draft.customer === null || draft.customer.customerId !== owner) {
      const best = Math.max(...mine.map(confidenceOf));
      draft.customer = {
        customerId: owner,
        rule: 'invoice_reference',
        confidence: round3(best),
        evidence: [`owner of ${mine.map((h) => h.invoice.number).join(', ')}`],
      };
    }
    if (payment.compare(totalOpen) < 0) {
      // Paid short of what is named, yet exactly what another open invoice of the owner has: the
      // payer may have written the wrong number. Part payment or wrong reference, a person decides.
      const others = (await this.openFor(draft, owner, true)).filter(
        (i) => !mine.some((h) => h.invoice.invoiceId === i.invoiceId) && draft.openOf(i).equals(payment),
      );
      if (others.length > 0) {
        draft.reasons.add('ambiguous_reference');
        draft.evidence.push(
          `the payment is short of what ${mine.map((h) => h.invoice.number).join(', ')} has open but exactly what ${others.map((i) => i.number).join(', ')} has open`,
        );
      }
    }
    if (payment.compare(totalOpen) >= 0 || mine.length === 1) {
      for (const hit of mine) {
        const amount = Money.min(draft.remaining, draft.openOf(hit.invoice));
        const partial = amount.compare(draft.openOf(hit.invoice)) < 0;
        draft.allocate(
          hit.invoice,
          amount,
          'invoice_reference',
          confidenceOf(hit),
          why(
            hit,
            partial
              ? [`partial payment: ${amount.toString()} of ${draft.openOf(hit.invoice).toString()} open`]
              : [],
          ),
        );
      }
      return;
    }
    // Several referenced invoices, paid short: maybe exactly some of them, else oldest first.
    const subset = findCombination(
      mine.map((h) => draft.openOf(h.invoice).minor),
      payment.minor,
      { maxSize: mine.length, maxSteps: this.config.maxCombinationSteps },
    );
    const pick = subset.best && !subset.tie ? new Set(subset.best) : null;
    mine.forEach((hit, index) => {
      if (pick !== null && !pick.has(index)) return;
      const amount = Money.min(draft.remaining, draft.openOf(hit.invoice));
      draft.allocate(
        hit.invoice,
        amount,
        'invoice_reference',
        Math.min(confidenceOf(hit), CONFIDENCE.referencesShortPaid),
        why(hit, [
          pick !== null
            ? `payment equals ${pick.size} of the ${mine.length} referenced invoices`
            : `payment is short of the ${totalOpen.toString()} referenced: oldest due first among them`,
        ]),
      );
    });
  }

  // (3) -------------------------------------------------------------------------------------------

  /** The customer's invoices that can still take money, oldest due first, after what is already suggested. */
  private async openFor(draft: Draft, customerId: string, forAmount = false): Promise<OpenInvoice[]> {
    const list = await this.view.openInvoicesOfCustomer(
      customerId,
      draft.payment.currency,
      this.config.maxOldestDueFirstInvoices,
    );
    return list
      .filter(
        (i) =>
          i.customerId === customerId &&
          i.currency === draft.payment.currency &&
          i.status !== 'paid' &&
          i.status !== 'void' &&
          i.kind !== 'credit_note' &&
          draft.openOf(i).isPositive() &&
          // An invoice issued after the money was sent is not what the payer added up.
          !(forAmount && i.issueDate !== null && i.issueDate > draft.receivedOn),
      )
      .sort(compareOldestDueFirst);
  }

  private async applyAmount(draft: Draft, payer: PayerIdentity): Promise<void> {
    const target = draft.remaining;
    if (draft.customer === null || draft.customer.rule === 'payer_name') {
      // A name alone, or several names: the amount chooses among the candidates (and confirms one).
      const candidates = payer.names.slice(0, 3);
      if (candidates.length > 0) {
        const fits: { c: NameCandidate; invoices: OpenInvoice[]; plan: AmountPlan }[] = [];
        for (const c of candidates) {
          const invoices = await this.openFor(draft, c.profile.customerId, true);
          const plan = this.planAmount(invoices, target, draft);
          if (plan !== null) fits.push({ c, invoices, plan });
        }
        const named = draft.customer?.customerId;
        const own = named === undefined ? undefined : fits.find((f) => f.c.profile.customerId === named);
        if (named !== undefined && own === undefined && fits.length > 0) {
          // The name points at one customer, the amount at another candidate: a person decides.
          draft.reasons.add('ambiguous_customer');
          draft.evidence.push(
            `the amount fits ${fits.map((f) => `"${f.c.name}"`).join(', ')}, not the customer the name identifies`,
          );
          return;
        }
        const fit = own ?? (fits.length === 1 ? fits[0] : undefined);
        if (fit !== undefined) {
          const strength =
            (isRound(target) ? CONFIDENCE.roundAmountAgrees : CONFIDENCE.amountAgrees) *
            (fit.plan.tie ? 0.5 : 1);
          draft.customer = {
            customerId: fit.c.profile.customerId,
            rule: 'payer_name',
            confidence: round3(Math.min(noisyOr(fit.c.score, strength), CONFIDENCE.nameMax + 0.02)),
            evidence: [
              `payer name ≈ "${fit.c.name}" (similarity ${fit.c.score.toFixed(2)})`,
              `the amount matches this customer's open invoices`,
            ],
          };
          this.allocatePlan(draft, fit.invoices, fit.plan);
          return;
        }
        if (fits.length > 1) {
          draft.reasons.add('ambiguous_customer');
          draft.evidence.push(
            `the amount fits open invoices of ${fits.map((f) => `"${f.c.name}"`).join(' and ')}`,
          );
        }
      }
      if (draft.customer !== null) {
        // Identified by name, but the amount fits none of its invoices: oldest-due-first follows.
        return;
      }
      await this.applyGlobalAmount(draft, payer);
      return;
    }
    const invoices = await this.openFor(draft, draft.customer.customerId, true);
    const plan = this.planAmount(invoices, target, draft);
    if (plan !== null) this.allocatePlan(draft, invoices, plan);
  }

  /** `invoices` oldest due first, each with what is still open for this payment. */
  private planAmount(invoices: readonly OpenInvoice[], target: Money, draft: Draft): AmountPlan | null {
    const values = invoices.map((i) => draft.openOf(i).minor);
    let plan: AmountPlan | null = null;
    const equal = values.flatMap((v, i) => (v === target.minor ? [i] : []));
    if (equal.length > 0) {
      plan = { rule: 'exact_amount', indexes: [equal[0] as number], tie: equal.length > 1, truncated: false };
    } else {
      // Subset-sum over the oldest few only: the search space grows as n^size.
      const search = findCombination(values.slice(0, this.config.maxCombinationInvoices), target.minor, {
        maxSize: this.config.maxCombinationSize,
        maxSteps: this.config.maxCombinationSteps,
      });
      if (search.best === null) return null;
      plan = {
        rule: 'amount_combination',
        indexes: search.best,
        tie: search.tie,
        truncated: search.truncated,
      };
    }
    // The oldest invoices in a row making the amount are another reading of it (the payer paid
    // what was due first): when that is a different set, a person chooses.
    let prefix = 0n;
    for (let i = 0; i < values.length && prefix < target.minor; i++) {
      prefix += values[i] as bigint;
      if (
        prefix === target.minor &&
        (plan.indexes.length !== i + 1 || plan.indexes.some((x, k) => x !== k))
      ) {
        plan.tie = true;
      }
    }
    return plan;
  }

  private allocatePlan(draft: Draft, invoices: readonly OpenInvoice[], plan: AmountPlan): void {
    const chosen = plan.indexes.map((i) => invoices[i] as OpenInvoice);
    let confidence: number = CONFIDENCE.exactAmount;
    if (plan.rule === 'amount_combination') {
      // The more sets of that size the customer's invoices allow, the likelier one of them makes
      // a given amount by chance (amounts to the cent: ~10⁶-10⁷ values in a plausible range).
      const sets = binomial(Math.min(invoices.length, this.config.maxCombinationInvoices), chosen.length);
      confidence =
        sets > 3000
          ? CONFIDENCE.combinationVeryManySets
          : sets > 500
            ? CONFIDENCE.combinationManySets
            : CONFIDENCE.combination;
    }
    const evidence = [
      plan.rule === 'exact_amount'
        ? `amount ${draft.remaining.toString()} equals the open amount of ${chosen[0]?.number ?? ''}`
        : `amount ${draft.remaining.toString()} equals ${chosen.map((i) => i.number).join(' + ')}`,
    ];
    if (plan.tie) {
      confidence = CONFIDENCE.amountTie;
      draft.reasons.add('ambiguous_amount');
      evidence.push('another choice of open invoices makes the same amount; the oldest is suggested');
    } else if (plan.truncated) {
      confidence = CONFIDENCE.combinationTruncated;
      evidence.push('search stopped at its budget: no other combination was ruled out');
    }
    for (const invoice of chosen) {
      draft.allocate(invoice, draft.openOf(invoice), plan.rule, confidence, [...evidence]);
    }
  }

  /** No customer at all: the only open invoice of the whole book with exactly this amount, if there is one. */
  private async applyGlobalAmount(draft: Draft, payer: PayerIdentity): Promise<void> {
    const target = draft.remaining;
    const matches = (await this.view.openInvoicesWithAmount(target, 3)).filter(
      (i) =>
        i.currency === target.currency &&
        i.status !== 'paid' &&
        i.status !== 'void' &&
        i.kind !== 'credit_note' &&
        i.open.equals(target) &&
        !(i.issueDate !== null && i.issueDate > draft.receivedOn),
    );
    if (matches.length !== 1) {
      if (matches.length > 1) {
        draft.reasons.add('ambiguous_amount');
        draft.evidence.push(
          `${matches.length}+ open invoices of different customers are for ${target.toString()}`,
        );
      }
      return;
    }
    const invoice = matches[0] as OpenInvoice;
    const confidence = isRound(target) ? CONFIDENCE.amountTie : CONFIDENCE.globalExactAmount;
    draft.customer = {
      customerId: invoice.customerId,
      rule: 'exact_amount',
      confidence,
      evidence: [`the only open invoice of ${target.toString()} in the book is ${invoice.number}`],
    };
    draft.allocate(invoice, target, 'exact_amount', confidence, [
      `amount equals the open amount of ${invoice.number}, the only one in the book`,
      payer.names.length === 0 ? 'payer not identified' : 'payer name matches no customer well',
    ]);
  }

  // (5) -------------------------------------------------------------------------------------------

  private async applyOldestDueFirst(draft: Draft): Promise<void> {
    const customer = draft.customer;
    if (customer === null) return;
    const confidence =
      customer.rule === 'given'
        ? CONFIDENCE.oldestDueFirstGiven
        : Math.min(customer.confidence, CONFIDENCE.oldestDueFirstInferred);
    for (const invoice of await this.openFor(draft, customer.customerId)) {
      if (!draft.remaining.isPositive()) break;
      const amount = Money.min(draft.remaining, draft.openOf(invoice));
      draft.allocate(invoice, amount, 'oldest_due_first', confidence, [
        `oldest due first${invoice.dueDate ? ` (due ${invoice.dueDate})` : ''}: no reference or amount match for the rest`,
      ]);
    }
    if (draft.remaining.isPositive()) {
      draft.evidence.push(
        `${draft.remaining.toString()} left after every open ${draft.payment.currency} invoice: unapplied credit`,
      );
    }
  }

  // ------------------------------------------------------------------------------------------------

  private finish(draft: Draft): CashApplicationResult {
    const applied = sumMoney(
      draft.allocations.map((a) => a.amount),
      draft.payment.currency,
    );
    if (!applied.add(draft.remaining).equals(draft.payment)) {
      throw new Error('cash application invariant: allocations + unapplied differ from the payment');
    }
    const explicitOnly =
      draft.allocations.length > 0 && draft.allocations.every((a) => a.rule === 'explicit');
    let confidence: number;
    if (draft.customer === null) {
      confidence = 0;
      draft.reasons.add('payer_unidentified');
      if (draft.remaining.isPositive()) draft.reasons.add('unapplied_without_customer');
    } else {
      confidence = Math.min(
        explicitOnly ? 1 : draft.customer.confidence,
        ...draft.allocations.map((a) => a.confidence),
      );
    }
    // Money left over for a customer the engine inferred: an overpayment or a prepayment nobody
    // announced. It becomes credit, but a person should see why it came.
    if (draft.customer !== null && draft.customer.rule !== 'given' && draft.remaining.isPositive()) {
      draft.reasons.add('unexplained_remainder');
    }
    confidence = round3(confidence);
    if (confidence < this.config.autoApplyThreshold) draft.reasons.add('below_threshold');
    const reviewReasons = [...draft.reasons].sort();
    return {
      customer: draft.customer,
      allocations: draft.allocations,
      unapplied: draft.remaining,
      confidence,
      decision: reviewReasons.length === 0 ? 'auto_apply' : 'needs_review',
      reviewReasons,
      evidence: draft.evidence,
    };
  }
}

interface AmountPlan {
  rule: Extract<MatchRule, 'exact_amount' | 'amount_combination'>;
  /** Indexes into the invoice list the plan was made on. */
  indexes: number[];
  tie: boolean;
  truncated: boolean;
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return Math.round(result);
}

function describe(hit: ReferenceHit): string {
  const where = hit.mention.source;
  const note =
    hit.match.kind === 'ocr_corrected'
      ? ` (${hit.match.corrections.join(', ')} corrected)`
      : hit.match.kind === 'without_prefix'
        ? hit.match.corrections.length > 0
          ? ` (without prefix; ${hit.match.corrections.join(', ')} corrected)`
          : ' (without prefix)'
        : hit.match.kind === 'one_typo'
          ? ' (one typo)'
          : '';
  return `${where} contains ${hit.invoice.number} as "${hit.mention.raw}"${note}`;
}
