import { randomUUID } from 'node:crypto';
import type { ApiClient } from '../api-client';

export interface StreamCustomer {
  id: string;
  /** Invoices a payment may name explicitly; none: every payment of it is unapplied cash. */
  invoiceIds: string[];
}

export interface PaymentStreamStats {
  /** Payments the API accepted (201/200), by id. */
  accepted: Set<string>;
  /** Attempts answered with something else than 2xx, or not answered; each was retried. */
  retries: number;
  /** Payments given up on after retrying for `giveUpMs` (the API never took them). */
  abandoned: number;
  /** Answers that are not a transient failure (4xx other than 409/429): a bug in the stream or the API. */
  refused: string[];
}

/**
 * Payments posted through the gateway at a steady rate, the way a bank feed would: each with its own
 * Idempotency-Key, repeated unchanged until the API takes it (a 5xx or a dropped connection during
 * a fault). Amounts are small against the invoices', so every invoice stays open and every
 * payment applies; about half name an invoice, the others go oldest-due-first, and customers
 * without invoices receive unapplied cash.
 */
export class PaymentStream {
  readonly stats: PaymentStreamStats = { accepted: new Set(), retries: 0, abandoned: 0, refused: [] };
  private timer?: NodeJS.Timeout;
  private readonly inFlight = new Set<Promise<void>>();
  private sent = 0;

  constructor(
    private readonly api: ApiClient,
    private readonly customers: readonly StreamCustomer[],
    private readonly options: { perSecond: number; giveUpMs: number; maxInFlight: number },
  ) {}

  start(): void {
    if (this.timer) return;
    const interval = 1000 / this.options.perSecond;
    let next = Date.now();
    // A self-correcting tick: a late timer sends what it owes rather than lowering the rate.
    const tick = (): void => {
      const now = Date.now();
      while (next <= now) {
        next += interval;
        if (this.inFlight.size >= this.options.maxInFlight) continue;
        const p = this.postOne().finally(() => this.inFlight.delete(p));
        this.inFlight.add(p);
      }
      this.timer = setTimeout(tick, Math.max(1, next - Date.now()));
    };
    tick();
  }

  /** Stops sending and waits for the payments in flight to be taken (or given up). */
  async pause(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.all([...this.inFlight]);
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  private async postOne(): Promise<void> {
    const n = this.sent++;
    const customer = this.customers[n % this.customers.length] as StreamCustomer;
    const amount = `${1 + (n % 20)}.${String(n % 100).padStart(2, '0')}`;
    const invoiceId =
      n % 2 === 0 ? customer.invoiceIds[n % Math.max(customer.invoiceIds.length, 1)] : undefined;
    const key = randomUUID();
    const body = {
      customerId: customer.id,
      amount: { amount, currency: 'CNY' },
      receivedAt: new Date().toISOString(),
      method: 'bank_transfer',
      reference: `fault-suite ${n}`,
      ...(invoiceId ? { allocations: [{ invoiceId, amount: { amount, currency: 'CNY' } }] } : {}),
    };
    const deadline = Date.now() + this.options.giveUpMs;
    while (Date.now() < deadline) {
      try {
        const res = await this.api.post<{ id: string }>('/api/v1/payments', body, { 'Idempotency-Key': key });
        if (res.status === 201 || res.status === 200) {
          this.stats.accepted.add(res.body.id);
          return;
        }
        if (res.status < 500 && res.status !== 409 && res.status !== 429) {
          this.stats.refused.push(`${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
          return;
        }
      } catch {
        // connection refused or reset: the same request again
      }
      this.stats.retries++;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    this.stats.abandoned++;
  }
}
