import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { OutboxWriter } from '@duemap/messaging';
import { Money, MoneyError, type MoneyJson } from '@duemap/money';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { InvoicingErrorCode, InvoicingException } from '../../common/invoicing.exception';
import {
  CustomerDirectory,
  referenceKey,
  type CustomerReference,
  type ResolvedCustomer,
} from '../../customers/customer-directory';
import { isPastDue, overdueStartsAt } from '../due-date';
import type { StoredInvoiceLine } from '../invoice.entity';
import { changedEvents, changedFieldsOf, issuedEvents } from '../invoice.events';
import { orderedLine, sameSource, type AppliedPayment, type Invoice, type SourceRef } from '../invoice.model';
import { InvoiceRepository, sourceKey } from '../invoice.repository';
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
  /**
   * The source's version of the record (grows with every change there). Lower than the stored
   * one -> stale: refused (REST) or ignored (bulk). Absent -> applied, the stored one kept.
   */
  sourceVersion?: bigint;
}

/** What a bulk upsert did with one input (in input order). */
export type BatchUpsertOutcome =
  | { outcome: 'created' | 'updated' | 'unchanged'; invoice: Invoice }
  | { outcome: 'stale'; invoice: Invoice }
  | { outcome: 'rejected'; error: Rejection };

/** Why an input was refused: the field at fault (as the REST body names it), a code, and what is wrong with it. */
export interface Rejection {
  code: string;
  field: string;
  message: string;
}

/** An input that passed the rules that need no stored state. */
interface PreparedUpsert {
  input: UpsertInvoiceInput;
  reference: CustomerReference;
  total: Money;
  lines: StoredInvoiceLine[];
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
    const { reference, total, lines } = prepare(input);
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
          sourceVersion: input.sourceVersion ?? null,
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

      if (isStale(existing, input.sourceVersion)) {
        throw InvoicingException.forField(
          InvoicingErrorCode.StaleSourceVersion,
          'sourceVersion',
          `the invoice is at source version ${String(existing.sourceVersion)}; ${String(input.sourceVersion)} is older`,
        );
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
        sourceVersion: input.sourceVersion ?? existing.sourceVersion ?? null,
      };
      const changedFields = changedFieldsOf(existing, after);
      const silentChange = isSilentChange(existing, after);
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

  /**
   * The bulk entry point (erp.invoices.v1, CSV/XLSX imports): the same rules as `execute`, for
   * many inputs inside the caller's transaction, in a few statements whatever their number
   * (customers read at once, the invoices locked at once, new ones inserted in multi-row
   * statements, events appended together). Inputs apply in order, so a source record named twice
   * ends as the later one says. One that breaks a rule is `rejected` with the error naming the
   * field and writes nothing; the others land. A lower sourceVersion than the stored one is
   * `stale` and ignored. Errors that are not the input's fault (the customers API down) throw.
   */
  async executeBatch(
    em: EntityManager,
    inputs: readonly UpsertInvoiceInput[],
  ): Promise<BatchUpsertOutcome[]> {
    const results: (BatchUpsertOutcome | undefined)[] = new Array<BatchUpsertOutcome | undefined>(
      inputs.length,
    );
    const prepared: (PreparedUpsert | undefined)[] = inputs.map((input, i) => {
      try {
        return prepare(input);
      } catch (err) {
        results[i] = { outcome: 'rejected', error: rejectionOf(err) };
        return undefined;
      }
    });
    const valid = prepared.filter((p): p is PreparedUpsert => p !== undefined);
    const customers = await this.customers.resolveMany(valid.map((p) => p.reference));
    const now = this.clock.now();

    const current = await this.invoices.lockBySources(em, uniqueSources(valid.map((p) => p.input.source)));
    const paymentsOf = await this.invoices.paymentsOf(
      em,
      [...current.values()].map((i) => i.id),
    );
    // Per source key: the state after the inputs so far, and whether it is new in this batch.
    const created = new Set<string>();
    const updated = new Set<string>();
    const events: Parameters<OutboxWriter['appendAll']>[1][number][] = [];
    const remembered = new Map<string, ResolvedCustomer>();

    prepared.forEach((p, i) => {
      if (p === undefined) return;
      const customer = customers.get(referenceKey(p.reference));
      if (customer === undefined || customer instanceof InvoicingException) {
        results[i] = {
          outcome: 'rejected',
          error: rejectionOf(
            customer ??
              InvoicingException.forField(
                InvoicingErrorCode.CustomerNotFound,
                'customer',
                'no such customer',
              ),
          ),
        };
        return;
      }
      const { input, reference, total, lines } = p;
      const key = sourceKey(input.source);
      const existing = current.get(key);
      const customerSource = 'source' in reference ? reference.source : null;
      if (existing === undefined) {
        const invoice = newInvoice(input, { customer, customerSource, total, lines, now });
        current.set(key, invoice);
        created.add(key);
        if (customer.fetched !== undefined) remembered.set(customer.id, customer);
        events.push(...issuedEvents(invoice, now));
        results[i] = { outcome: 'created', invoice };
        return;
      }
      if (isStale(existing, input.sourceVersion)) {
        results[i] = { outcome: 'stale', invoice: existing };
        return;
      }
      try {
        assertUpdatable(existing, {
          total,
          customerId: customer.id,
          customerField: 'source' in reference ? 'customer' : 'customerId',
        });
      } catch (err) {
        results[i] = { outcome: 'rejected', error: rejectionOf(err) };
        return;
      }
      const after = updatedInvoice(existing, input, { customer, customerSource, total, lines, now });
      const changedFields = changedFieldsOf(existing, after);
      if (changedFields.length === 0 && !isSilentChange(existing, after)) {
        results[i] = { outcome: 'unchanged', invoice: existing };
        return;
      }
      current.set(key, after);
      if (!created.has(key)) updated.add(key);
      if (customer.fetched !== undefined) remembered.set(customer.id, customer);
      if (changedFields.length > 0) {
        const payments = (paymentsOf.get(existing.id) ?? []).map((pay) => pay.paymentId);
        events.push(...changedEvents(existing, after, changedFields, payments, now));
      }
      results[i] = { outcome: changedFields.length > 0 ? 'updated' : 'unchanged', invoice: after };
    });

    for (const customer of remembered.values()) await this.customers.remember(em, customer);
    const fresh = [...created].map((key) => current.get(key) as Invoice);
    const inserted = await this.invoices.insertManyIfAbsent(em, fresh);
    if (inserted.size !== fresh.length) {
      // Another transaction created one of these invoices after lockBySources looked: its row is
      // there now, so the whole batch again (a new transaction) sees and updates it.
      throw new ConcurrentInsertError(fresh.length - inserted.size);
    }
    for (const key of updated) await this.invoices.update(em, current.get(key) as Invoice);
    await this.outbox.appendAll(em, events);
    return results.map(
      (r, i) =>
        r ?? {
          outcome: 'rejected',
          error: { code: 'INTERNAL', field: '', message: `input ${i} was not handled` },
        },
    );
  }
}

/** A batch raced another transaction inserting the same source record; retrying resolves it. */
export class ConcurrentInsertError extends Error {
  constructor(readonly count: number) {
    super(`${count} invoice(s) of the batch were created concurrently; retry the batch`);
    this.name = 'ConcurrentInsertError';
  }
}

/** The input's own fault, as a Rejection; anything else (a bug, an outage) is rethrown. */
function rejectionOf(err: unknown): Rejection {
  if (err instanceof InvoicingException) {
    const detail = err.details[0];
    return { code: err.code, field: detail?.field ?? '', message: detail?.message ?? err.message };
  }
  if (err instanceof MoneyError) {
    const prefix = `${err.field}: `;
    const message = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
    return { code: err.code, field: err.field, message };
  }
  throw err;
}

function uniqueSources(sources: readonly SourceRef[]): SourceRef[] {
  const seen = new Map<string, SourceRef>();
  for (const source of sources) seen.set(sourceKey(source), source);
  return [...seen.values()];
}

/** An update older than what is stored: both versions known and the new one lower. */
function isStale(existing: Invoice, sourceVersion: bigint | undefined): boolean {
  return (
    sourceVersion !== undefined &&
    existing.sourceVersion !== undefined &&
    existing.sourceVersion !== null &&
    sourceVersion < existing.sourceVersion
  );
}

/** Changes that emit no event but must be written (how the customer was named, time zone, version). */
function isSilentChange(existing: Invoice, after: Invoice): boolean {
  return (
    !sameSource(existing.customerSource, after.customerSource) ||
    existing.timeZone !== after.timeZone ||
    existing.overdueAt.getTime() !== after.overdueAt.getTime() ||
    (after.sourceVersion ?? null) !== (existing.sourceVersion ?? null)
  );
}

interface Resolved {
  customer: ResolvedCustomer;
  customerSource: SourceRef | null;
  total: Money;
  lines: StoredInvoiceLine[];
  now: Date;
}

function newInvoice(input: UpsertInvoiceInput, r: Resolved): Invoice {
  return {
    id: randomUUID(),
    customerId: r.customer.id,
    source: input.source,
    customerSource: r.customerSource,
    number: input.number,
    issueDate: input.issueDate,
    dueDate: input.dueDate,
    total: r.total,
    paid: Money.zero(r.total.currency),
    open: r.total,
    status: statusOf({
      voided: false,
      total: r.total.minor,
      open: r.total.minor,
      pastDue: isPastDue(input.dueDate, r.now, r.customer.timeZone),
    }),
    timeZone: r.customer.timeZone,
    overdueAt: overdueStartsAt(input.dueDate, r.customer.timeZone),
    lines: r.lines,
    voidReason: null,
    voidedAt: null,
    createdAt: r.now,
    updatedAt: r.now,
    version: 1n,
    sourceVersion: input.sourceVersion ?? null,
  };
}

function updatedInvoice(existing: Invoice, input: UpsertInvoiceInput, r: Resolved): Invoice {
  const open = r.total.subtract(existing.paid);
  return {
    ...existing,
    customerId: r.customer.id,
    customerSource: r.customerSource,
    number: input.number,
    issueDate: input.issueDate,
    dueDate: input.dueDate,
    total: r.total,
    paid: existing.paid.isZero() ? Money.zero(r.total.currency) : existing.paid,
    open,
    status: statusOf({
      voided: false,
      total: r.total.minor,
      open: open.minor,
      pastDue: isPastDue(input.dueDate, r.now, r.customer.timeZone),
    }),
    timeZone: r.customer.timeZone,
    overdueAt: overdueStartsAt(input.dueDate, r.customer.timeZone),
    lines: r.lines,
    updatedAt: r.now,
    version: existing.version + 1n,
    sourceVersion: input.sourceVersion ?? existing.sourceVersion ?? null,
  };
}

/**
 * The rules that need no stored state, shared by every way in (REST, topic, file): one customer
 * reference, a positive total, lines in its currency adding up to it, due on or after issue.
 */
function prepare(input: UpsertInvoiceInput): PreparedUpsert {
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
  if (input.dueDate < input.issueDate) {
    throw InvoicingException.forField(
      InvoicingErrorCode.DueBeforeIssue,
      'dueDate',
      `${input.dueDate} is before issueDate ${input.issueDate}`,
    );
  }
  const lines = normaliseLines(input.lines ?? [], total.currency);
  if (lines.length > 0) {
    const sum = lines.reduce(
      (acc, line) => acc.add(Money.of(line.amount.amount, line.amount.currency, { allowNegative: true })),
      Money.zero(total.currency),
    );
    if (sum.compare(total) !== 0) {
      throw InvoicingException.forField(
        InvoicingErrorCode.LinesTotalMismatch,
        'lines',
        `the lines add up to ${sum.toString()}, the total is ${total.toString()}`,
      );
    }
  }
  return { input, reference, total, lines };
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
