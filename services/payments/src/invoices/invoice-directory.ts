import { Injectable } from '@nestjs/common';
import { ServiceCaller } from '@duemap/auth';
import { InjectConfig } from '@duemap/config';
import { Money } from '@duemap/money';
import type { EntityManager } from 'typeorm';
import { PaymentsErrorCode, PaymentsException } from '../common/payments.exception';
import { fetchFromService, joinUrl } from '../common/service-client';
import type { PaymentsConfig } from '../config';
import type { InvoiceRecord } from './invoice-projection';
import type { InvoiceState } from './invoice-view.entity';
import { InvoiceViewRepository } from './invoice-view.repository';

const STATES: readonly InvoiceState[] = ['open', 'partially_paid', 'paid', 'overdue', 'void'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string') throw new Error(`${name} is not a string`);
  return value;
}

function dateField(body: Record<string, unknown>, name: string): string | null {
  const value = body[name];
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' || !DATE.test(value)) throw new Error(`${name} is not a YYYY-MM-DD date`);
  return value;
}

function moneyField(body: Record<string, unknown>, name: string): Money {
  const value = body[name] as { amount?: unknown; currency?: unknown } | null | undefined;
  if (typeof value !== 'object' || value === null) throw new Error(`${name} is not a Money`);
  return Money.of(value.amount as string, value.currency as string, { allowNegative: true, field: name });
}

/**
 * Parses the invoicing service's `GET /api/v1/invoices/{id}` answer:
 * `{ id, customerId, number, issueDate, dueDate, total, openAmount, status }`.
 */
export function parseInvoiceJson(raw: unknown, expectedId: string): InvoiceRecord {
  if (typeof raw !== 'object' || raw === null) throw new Error('not an object');
  const body = raw as Record<string, unknown>;
  if (body.id !== expectedId) throw new Error(`id is ${JSON.stringify(body.id)}, expected ${expectedId}`);
  const total = moneyField(body, 'total');
  const open = moneyField(body, 'openAmount');
  if (open.currency !== total.currency) throw new Error('openAmount and total differ in currency');
  const status = body.status as InvoiceState;
  if (!STATES.includes(status)) throw new Error(`status ${JSON.stringify(body.status)} is unknown`);
  const settled = total.minor - open.minor;
  return {
    invoiceId: expectedId,
    customerId: stringField(body, 'customerId'),
    number: stringField(body, 'number'),
    kind: total.isNegative() ? 'credit_note' : 'invoice',
    currency: total.currency,
    totalMinor: total.minor,
    // Payments has no allocation to an invoice it never saw, so whatever is settled already was
    // settled outside Duemap (delivered partly paid by the ERP).
    preSettledMinor: status !== 'void' && total.isPositive() && settled > 0n ? settled : 0n,
    reportedOpenMinor: open.minor,
    issueDate: dateField(body, 'issueDate'),
    dueDate: dateField(body, 'dueDate'),
    status,
    lastVersion: 0n,
    lastOccurredAt: null,
  };
}

export interface InvoiceReference {
  invoiceId: string;
  /** The request field that named it, e.g. `allocations[2].invoiceId`. */
  field: string;
}

/**
 * Makes sure every invoice named by a request is known: the read model first, then the invoicing
 * service for the misses (an invoice issued a moment ago may not have reached us as an event).
 */
@Injectable()
export class InvoiceDirectory {
  private readonly caller: ServiceCaller;

  constructor(
    private readonly invoices: InvoiceViewRepository,
    @InjectConfig() private readonly config: PaymentsConfig,
  ) {
    this.caller = new ServiceCaller(config.IDENTITY_SECRET, config.SERVICE_NAME);
  }

  /** The invoices that had to be fetched (store them with the payment); 404 for the first unknown one. */
  async fetchMissing(em: EntityManager, references: readonly InvoiceReference[]): Promise<InvoiceRecord[]> {
    const known = await this.invoices.findIds(
      em,
      references.map((r) => r.invoiceId),
    );
    const missing = references.filter((r) => !known.has(r.invoiceId));
    const headers = missing.length === 0 ? {} : await this.caller.headers();
    const answers = await Promise.all(
      missing.map(async (reference) => {
        const url = joinUrl(
          this.config.INVOICING_URL,
          `/api/v1/invoices/${encodeURIComponent(reference.invoiceId)}`,
        );
        const answer = await fetchFromService(
          'invoicing',
          url,
          this.config.DEPENDENCY_TIMEOUT,
          (body) => parseInvoiceJson(body, reference.invoiceId),
          headers,
        );
        return { reference, answer };
      }),
    );
    const fetched: InvoiceRecord[] = [];
    for (const { reference, answer } of answers) {
      if (!answer.found) {
        throw PaymentsException.forField(
          PaymentsErrorCode.InvoiceNotFound,
          reference.field,
          `invoice ${reference.invoiceId} does not exist`,
        );
      }
      fetched.push(answer.value);
    }
    return fetched;
  }
}
