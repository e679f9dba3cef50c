import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { OutboxWriter } from '@duemap/messaging';
import { Money, type MoneyJson } from '@duemap/money';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { InvoicingErrorCode, InvoicingException } from '../../common/invoicing.exception';
import { CustomerDirectory, type CustomerReference } from '../../customers/customer-directory';
import { isPastDue, overdueStartsAt } from '../due-date';
import type { StoredInvoiceLine } from '../invoice.entity';
import { changedEvents, changedFieldsOf, issuedEvents } from '../invoice.events';
import { orderedLine, sameSource, type AppliedPayment, type Invoice, type SourceRef } from '../invoice.model';
import { InvoiceRepository } from '../invoice.repository';
import { statusOf } from '../invoice-status';

export interface InvoiceLineInput {
  description: string;
  quantity?: string;
  unitPrice?: MoneyJson;
  amount: MoneyJson;
  tax?: MoneyJson;
}

/** The request, shape-checked already (the DTO): strings where dates and amounts go. */
export interface UpsertInvoiceInput {
  source: SourceRef;
  customerId?: string;
  customer?: SourceRef;
  number: string;
  issueDate: string;
  dueDate: string;
  total: MoneyJson;
  lines?: InvoiceLineInput[];
}

export interface UpsertInvoiceResult {
  created: boolean;
  invoice: Invoice;
  payments: AppliedPayment[];
}

/**
 * PUT /api/v1/invoices/{sourceSystem}/{externalId}: one transaction that creates the invoice
 * (invoice-issued) or updates it (invoice-changed with what changed; nothing when nothing did),
 * idempotent by the source key. The status is derived again, so a new due date can make the
 * invoice overdue (invoice-overdue) or current again, and a lowered total can settle it.
 */
@Injectable()
export class UpsertInvoiceUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly invoices: InvoiceRepository,
    private readonly customers: CustomerDirectory,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
  ) {}

  async execute(input: UpsertInvoiceInput): Promise<UpsertInvoiceResult> {
    const reference = customerReferenceOf(input);
    const total = Money.of(input.total.amount, input.total.currency, {
      field: 'total.amount',
      currencyField: 'total.currency',
    });
    if (!total.isPositive()) {
      throw InvoicingException.forField(
        InvoicingErrorCode.TotalNotPositive,
        'total.amount',
        'an invoice total must be greater than 0',
      );
    }
    const lines = normaliseLines(input.lines ?? [], total.currency);
    const customer = await this.customers.resolve(reference);
    const customerSource = 'source' in reference ? reference.source : null;

    return this.dataSource.transaction(async (em) => {
      let existing = await this.invoices.findBySource(em, input.source, { lock: true });
      const now = this.clock.now();
      await this.customers.remember(em, customer);

      if (existing === null) {
        const zero = Money.zero(total.currency);
        const invoice: Invoice = {
          id: randomUUID(),
          customerId: customer.id,
          source: input.source,
          customerSource,
          number: input.number,
          issueDate: input.issueDate,
          dueDate: input.dueDate,
          total,
          paid: zero,
          open: total,
          status: statusOf({
            voided: false,
            total: total.minor,
            open: total.minor,
            pastDue: isPastDue(input.dueDate, now, customer.timeZone),
          }),
          timeZone: customer.timeZone,
          overdueAt: overdueStartsAt(input.dueDate, customer.timeZone),
          lines,
          voidReason: null,
          voidedAt: null,
          createdAt: now,
          updatedAt: now,
          version: 1n,
        };
        // Two first deliveries of one source: the second insert waits for the first on the
        // source key and, once that committed, inserts nothing (so only one emits invoice-issued)
        // and updates the invoice the first created, locked like any existing one.
        if (await this.invoices.insertIfAbsent(em, invoice)) {
          await this.outbox.appendAll(em, issuedEvents(invoice, now));
          return { created: true, invoice, payments: [] };
        }
        existing = await this.invoices.findBySource(em, input.source, { lock: true });
        if (existing === null) {
          throw new Error(`invoice ${input.source.sourceSystem}/${input.source.externalId} vanished`);
        }
      }

      assertUpdatable(existing, {
        total,
        customerId: customer.id,
        customerField: 'source' in reference ? 'customer' : 'customerId',
      });
      const open = total.subtract(existing.paid);
      const after: Invoice = {
        ...existing,
        customerId: customer.id,
        customerSource,
        number: input.number,
        issueDate: input.issueDate,
        dueDate: input.dueDate,
        total,
        // A currency change is only allowed with nothing paid, so paid is zero in the new currency.
        paid: existing.paid.isZero() ? Money.zero(total.currency) : existing.paid,
        open,
        status: statusOf({
          voided: false,
          total: total.minor,
          open: open.minor,
          pastDue: isPastDue(input.dueDate, now, customer.timeZone),
        }),
        timeZone: customer.timeZone,
        overdueAt: overdueStartsAt(input.dueDate, customer.timeZone),
        lines,
        updatedAt: now,
        // Under the row lock taken by findBySource: the change's events carry it.
        version: existing.version + 1n,
      };
      const changedFields = changedFieldsOf(existing, after);
      const silentChange =
        !sameSource(existing.customerSource, after.customerSource) ||
        existing.timeZone !== after.timeZone ||
        existing.overdueAt.getTime() !== after.overdueAt.getTime();
      const payments = (await this.invoices.paymentsOf(em, [existing.id])).get(existing.id) ?? [];
      if (changedFields.length === 0 && !silentChange) {
        return { created: false, invoice: existing, payments };
      }
      await this.invoices.update(em, after);
      if (changedFields.length > 0) {
        await this.outbox.appendAll(
          em,
          changedEvents(
            existing,
            after,
            changedFields,
            payments.map((p) => p.paymentId),
            now,
          ),
        );
      }
      return { created: false, invoice: after, payments };
    });
  }
}

function customerReferenceOf(input: UpsertInvoiceInput): CustomerReference {
  if (input.customerId !== undefined && input.customer !== undefined) {
    throw new InvoicingException(
      InvoicingErrorCode.CustomerReferenceAmbiguous,
      'give either customerId or customer, not both',
      [
        { field: 'customerId', message: 'give either customerId or customer, not both' },
        { field: 'customer', message: 'give either customerId or customer, not both' },
      ],
    );
  }
  if (input.customerId !== undefined) return { customerId: input.customerId };
  if (input.customer !== undefined) return { source: input.customer };
  throw new InvoicingException(
    InvoicingErrorCode.CustomerReferenceMissing,
    'the invoice must name its customer by customerId or by customer {sourceSystem, externalId}',
    [
      { field: 'customerId', message: 'customerId or customer is required' },
      { field: 'customer', message: 'customerId or customer is required' },
    ],
  );
}

/** Rules for changing an invoice that exists: void is final; paid cash pins currency, customer and a floor. */
function assertUpdatable(
  existing: Invoice,
  next: { total: Money; customerId: string; customerField: 'customerId' | 'customer' },
): void {
  if (existing.status === 'void') {
    throw new InvoicingException(
      InvoicingErrorCode.InvoiceVoided,
      `invoice ${existing.id} is void and cannot be updated`,
    );
  }
  if (existing.paid.isZero()) return;
  if (next.total.currency !== existing.total.currency) {
    throw InvoicingException.forField(
      InvoicingErrorCode.CurrencyChangeNotAllowed,
      'total.currency',
      `payments of ${existing.paid.toString()} are applied in ${existing.total.currency}; the currency cannot change`,
    );
  }
  if (next.total.compare(existing.paid) < 0) {
    throw InvoicingException.forField(
      InvoicingErrorCode.TotalBelowPaid,
      'total.amount',
      `the total cannot be lower than the ${existing.paid.toString()} already paid`,
    );
  }
  if (next.customerId !== existing.customerId) {
    throw InvoicingException.forField(
      InvoicingErrorCode.CustomerChangeNotAllowed,
      next.customerField,
      `payments of customer ${existing.customerId} are applied to the invoice; it cannot move to another customer`,
    );
  }
}

function normaliseLines(lines: readonly InvoiceLineInput[], currency: string): StoredInvoiceLine[] {
  return lines.map((line, index) => {
    const at = `lines[${index}]`;
    const money = (value: MoneyJson, name: string): MoneyJson => {
      const parsed = Money.of(value.amount, value.currency, {
        allowNegative: true,
        field: `${at}.${name}.amount`,
        currencyField: `${at}.${name}.currency`,
      });
      if (parsed.currency !== currency) {
        throw InvoicingException.forField(
          InvoicingErrorCode.LineCurrencyMismatch,
          `${at}.${name}.currency`,
          `lines are in the invoice's currency ${currency}, not ${parsed.currency}`,
        );
      }
      return parsed.toJSON();
    };
    return orderedLine({
      lineNumber: index + 1,
      description: line.description,
      quantity: line.quantity ?? '',
      amount: money(line.amount, 'amount'),
      ...(line.unitPrice === undefined ? {} : { unitPrice: money(line.unitPrice, 'unitPrice') }),
      ...(line.tax === undefined ? {} : { tax: money(line.tax, 'tax') }),
    });
  });
}
