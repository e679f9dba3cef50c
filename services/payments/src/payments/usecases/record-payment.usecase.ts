import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { customerInTerritory, type Territory } from '@duemap/auth';
import { InjectConfig } from '@duemap/config';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import { outboxRow, type OutboxRow } from '@duemap/messaging';
import { GroupCommit, type GroupOutcome } from '@duemap/database';
import { context, trace, type Context } from '@opentelemetry/api';
import { PaymentsErrorCode, PaymentsException } from '../../common/payments.exception';
import type { PaymentsConfig } from '../../config';
import { CustomerDirectory } from '../../customers/customer-directory';
import { CustomerViewRepository, type CustomerSnapshot } from '../../customers/customer-view.repository';
import { InvoiceDirectory } from '../../invoices/invoice-directory';
import type { InvoiceRecord } from '../../invoices/invoice-projection';
import { InvoiceViewRepository } from '../../invoices/invoice-view.repository';
import {
  applyExplicit,
  applyOldestDueFirst,
  checkRequestedAllocations,
  type CashApplication,
  type PayableInvoice,
} from '../cash-application';
import { CashApplicationEngine } from '../../cash-application/cash-application.engine';
import { InMemoryOpenItems } from '../../cash-application/in-memory-open-items';
import { decideIdempotency } from '../idempotency';
import { paymentReceivedEvent } from '../payment-events';
import { statusOfDecided } from '../payment-ledger';
import { requestHash, type PaymentRequest } from '../payment-request';
import { IDEMPOTENCY_KEY_CONSTRAINT, PaymentAllocationEntity, PaymentEntity } from '../payment.entity';
import { toPaymentView, type PaymentView } from '../payment.view';
import { PaymentsRepository, type NewPayment, type PaymentGrounds } from '../payments.repository';

export interface RecordPaymentResult {
  payment: PaymentView;
  /** True when the idempotency key had been used with this request before: nothing new was stored. */
  replayed: boolean;
}

/** The read model does not know the customer (yet): ask the customers service. */
const CUSTOMER_UNKNOWN = Symbol('customer unknown');

type Answer = RecordPaymentResult | typeof CUSTOMER_UNKNOWN;

/** A request on its way to a transaction, with the trace its event continues. */
interface PendingPayment {
  request: PaymentRequest;
  hash: string;
  traceContext: Context;
}

/** Most POSTs in one transaction. */
const MAX_GROUP = 100;

const tracer = trace.getTracer('@duemap/payments');

function settle<R>(answer: Promise<R>): Promise<GroupOutcome<R>> {
  return answer.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

function isIdempotencyKeyViolation(err: unknown): boolean {
  if (!(err instanceof QueryFailedError)) return false;
  const driverError = err.driverError as { code?: string; constraint?: string };
  return driverError.code === '23505' && driverError.constraint === IDEMPOTENCY_KEY_CONSTRAINT;
}

/**
 * POST /api/v1/payments: stores the payment and decides its cash application in one transaction,
 * with payments.payment-received.v1 in the outbox. Lookups that may leave the process (fallback
 * GETs to customers and invoicing) happen before the transaction, so no lock waits on the network.
 */
@Injectable()
export class RecordPaymentUseCase {
  // Concurrent POSTs share a transaction (group commit); two of one customer or one key never do.
  private readonly group = new GroupCommit<PendingPayment, Answer>((items) => this.recordGroup(items), {
    maxBatch: MAX_GROUP,
    keysOf: ({ request }) => [`customer:${request.customerId}`, `key:${request.idempotencyKey}`],
  });

  constructor(
    private readonly dataSource: DataSource,
    @InjectConfig() private readonly config: PaymentsConfig,
    private readonly payments: PaymentsRepository,
    private readonly customers: CustomerViewRepository,
    private readonly customerDirectory: CustomerDirectory,
    private readonly invoices: InvoiceViewRepository,
    private readonly invoiceDirectory: InvoiceDirectory,
  ) {}

  /**
   * `territory`: the caller's (territoryOf). A collector records cash only for customers inside it;
   * any other customer answers 404 CUSTOMER_NOT_FOUND, as an unknown one does, so that it does not
   * show whether the customer exists.
   */
  async execute(request: PaymentRequest, territory?: Territory): Promise<RecordPaymentResult> {
    if (!(await customerInTerritory(this.dataSource.manager, territory, request.customerId))) {
      throw PaymentsException.forField(
        PaymentsErrorCode.CustomerNotFound,
        'customerId',
        `customer ${request.customerId} does not exist`,
      );
    }
    const hash = requestHash(request);
    checkRequestedAllocations(request.amount, request.allocations);
    const pending: PendingPayment = { request, hash, traceContext: context.active() };

    // The common case first: no explicit allocations and a customer the read model knows. The
    // customer's row is then found by the lock itself, with no lookup before the transaction.
    if (request.allocations.length === 0) {
      const answer = await this.group.submit(pending);
      if (answer !== CUSTOMER_UNKNOWN) return answer;
    }
    // Lookups that may leave the process (fallback GETs to customers and invoicing) happen before
    // the transaction, so no lock waits on the network.
    const customer = await this.customerDirectory.resolve(this.dataSource.manager, request.customerId);
    const fetchedInvoices = await this.invoiceDirectory.fetchMissing(
      this.dataSource.manager,
      request.allocations.map((a, index) => ({
        invoiceId: a.invoiceId,
        field: `allocations[${index}].invoiceId`,
      })),
    );
    const answer =
      customer.fetched || fetchedInvoices.length > 0
        ? await this.record(pending, {
            fetchedCustomer: customer.fetched ? customer.snapshot : undefined,
            fetchedInvoices,
          })
        : await this.group.submit(pending);
    if (answer === CUSTOMER_UNKNOWN) {
      throw new Error(`customer_view row of ${request.customerId} is missing after it was found`);
    }
    return answer;
  }

  /**
   * A batch of POSTs (of different customers and keys) in one transaction: BEGIN, one statement
   * that locks the customers and reads every payment's grounds, one that stores the payments,
   * their allocations and their events, COMMIT. A request refused on its merits is answered so
   * and stores nothing; the others commit. When the transaction itself fails (a key taken
   * meanwhile by a payment of another customer, a deadlock), each request is tried again alone,
   * so one request's failure is never another's.
   */
  private async recordGroup(items: PendingPayment[]): Promise<GroupOutcome<Answer>[]> {
    if (items.length === 1) {
      const item = items[0] as PendingPayment;
      return [await settle(context.with(item.traceContext, () => this.record(item)))];
    }
    const links = items.flatMap((item) => {
      const spanContext = trace.getSpanContext(item.traceContext);
      return spanContext ? [{ context: spanContext }] : [];
    });
    const together = await tracer.startActiveSpan(
      'record payments',
      { root: true, links, attributes: { 'duemap.batch.size': items.length } },
      async (span) => {
        try {
          return await this.dataSource.transaction((em) => this.decideAndStore(em, items));
        } catch (err) {
          // Retried one by one below; the span keeps why.
          span.recordException(err as Error);
          return undefined;
        } finally {
          span.end();
        }
      },
    );
    if (together) return together;
    return Promise.all(items.map((item) => settle(context.with(item.traceContext, () => this.record(item)))));
  }

  /**
   * One request in a transaction of its own, after the rows fetched over HTTP (on the slow path):
   * a refused request rolls back, so it leaves nothing behind.
   */
  private async record(
    item: PendingPayment,
    fetched: { fetchedCustomer?: CustomerSnapshot; fetchedInvoices: InvoiceRecord[] } = {
      fetchedInvoices: [],
    },
  ): Promise<Answer> {
    const { request, hash } = item;
    try {
      return await this.dataSource.transaction(async (em) => {
        if (fetched.fetchedCustomer) await this.customers.insertFetched(em, fetched.fetchedCustomer);
        for (const invoice of fetched.fetchedInvoices) await this.invoices.insertFetched(em, invoice);
        const [outcome] = (await this.decideAndStore(em, [item])) as [GroupOutcome<Answer>];
        if (!outcome.ok) throw outcome.error;
        return outcome.value;
      });
    } catch (err) {
      // Another request with the same key (for another customer, so not serialised with this one)
      // committed first: the unique constraint refused ours, and it is a replay or a conflict.
      if (isIdempotencyKeyViolation(err)) {
        const manager = this.dataSource.manager;
        const existing = await this.payments.findByIdempotencyKey(manager, request.idempotencyKey);
        const answer = await this.answerForKnownKey(manager, existing, request.idempotencyKey, hash);
        if (answer) return answer;
      }
      throw err;
    }
  }

  /**
   * In `em`'s transaction: locks the requests' customers and reads their grounds (one statement),
   * decides each payment, and stores the new ones with their events (one statement).
   */
  private async decideAndStore(em: EntityManager, items: PendingPayment[]): Promise<GroupOutcome<Answer>[]> {
    const grounds = await this.payments.lockForPayments(
      em,
      items.map(({ request }) => ({
        customerId: request.customerId,
        idempotencyKey: request.idempotencyKey,
        selection:
          request.allocations.length > 0
            ? { invoiceIds: request.allocations.map((a) => a.invoiceId) }
            : { currency: request.amount.currency },
      })),
    );
    const stored: { payment: NewPayment; event: OutboxRow }[] = [];
    const outcomes: GroupOutcome<Answer>[] = [];
    for (const [i, item] of items.entries()) {
      const ground = grounds[i] ?? null;
      if (ground === null) {
        outcomes.push({ ok: true, value: CUSTOMER_UNKNOWN });
        continue;
      }
      try {
        // Read under the customer's lock: a concurrent twin of this request has committed by now, if any.
        const twin = await this.answerForKnownKey(em, ground.twin, item.request.idempotencyKey, item.hash);
        if (twin) {
          outcomes.push({ ok: true, value: twin });
          continue;
        }
        const application = await decide(item.request, ground);
        const payment = this.newPayment(item, application);
        stored.push({
          payment,
          event: outboxRow(
            this.config.SERVICE_NAME,
            paymentReceivedEvent(
              payment.payment,
              payment.allocations,
              { sourceSystem: 'api', externalId: item.request.idempotencyKey },
              item.traceContext,
            ),
          ),
        });
        // The answer is what is written, not a read back of it.
        const view = toPaymentView(payment.payment, payment.allocations);
        outcomes.push({ ok: true, value: { payment: view, replayed: false } });
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
    if (stored.length > 0) await this.payments.insertWithEvents(em, stored);
    return outcomes;
  }

  private async answerForKnownKey(
    em: EntityManager,
    existing: { id: string; requestHash: string } | null,
    idempotencyKey: string,
    hash: string,
  ): Promise<RecordPaymentResult | undefined> {
    const decision = decideIdempotency(existing, hash);
    switch (decision) {
      case 'new':
        return undefined;
      case 'conflict':
        throw PaymentsException.forField(
          PaymentsErrorCode.IdempotencyKeyReused,
          'Idempotency-Key',
          'this Idempotency-Key was already used with a different request body',
        );
      case 'replay': {
        const view = existing ? await this.payments.loadView(em, existing.id) : null;
        if (view === null) throw new Error(`payment under idempotency key ${idempotencyKey} vanished`);
        return { payment: view, replayed: true };
      }
    }
  }

  private newPayment({ request, hash }: PendingPayment, application: CashApplication): NewPayment {
    const paymentId = randomUUID();
    const payment = Object.assign(new PaymentEntity(), {
      id: paymentId,
      customerId: request.customerId,
      amountMinor: request.amount.minor.toString(),
      currency: request.amount.currency,
      receivedAt: request.receivedAt,
      method: request.method,
      reference: request.reference,
      status: statusOfDecided(
        request.amount.minor,
        application.allocations.map((a) => a.applied.minor),
      ),
      idempotencyKey: request.idempotencyKey,
      requestHash: hash,
      createdAt: new Date(),
    });
    const allocations = application.allocations.map((a, position) =>
      Object.assign(new PaymentAllocationEntity(), {
        paymentId,
        invoiceId: a.invoiceId,
        position,
        invoiceNumber: a.invoiceNumber,
        appliedMinor: a.applied.minor.toString(),
        invoiceOpenAfterMinor: a.openAfter.minor.toString(),
        rejectedMinor: '0',
        rule: a.rule,
        rejectionReason: null,
        rejectedAt: null,
      }),
    );
    return { payment, allocations };
  }
}

/**
 * Explicit allocations as asked (each checked against its invoice); else invoice numbers the
 * reference names among the customer's open invoices (the cash application engine's reading:
 * spacing, prefixes, O/0 and I/1, several numbers), the rest oldest due first; else oldest due first.
 */
async function decide(request: PaymentRequest, grounds: PaymentGrounds): Promise<CashApplication> {
  if (request.allocations.length > 0) {
    return applyExplicit(
      request.amount,
      request.customerId,
      request.allocations,
      new Map(grounds.invoices.map((i) => [i.invoiceId, i])),
    );
  }
  if (request.reference.trim() !== '') {
    const byReference = await applyByReference(request, grounds.invoices);
    if (byReference) return byReference;
  }
  return applyOldestDueFirst(request.amount, request.customerId, grounds.invoices);
}

/**
 * The engine over this customer's open invoices only (read under its lock), with the customer as
 * given: taken when it applied money by reference and is sure enough to apply by itself; anything
 * else (no number found, an unsure reading) leaves the payment to oldest due first, as before.
 */
async function applyByReference(
  request: PaymentRequest,
  invoices: readonly PayableInvoice[],
): Promise<CashApplication | null> {
  const view = new InMemoryOpenItems(
    [{ customerId: request.customerId, names: [], accounts: [] }],
    invoices.map((i) => ({
      invoiceId: i.invoiceId,
      number: i.number,
      customerId: i.customerId,
      currency: i.currency,
      open: i.open,
      dueDate: i.dueDate,
      issueDate: i.issueDate,
      status: i.status,
      kind: i.kind,
    })),
  );
  const result = await new CashApplicationEngine(view).apply({
    amount: request.amount,
    receivedOn: request.receivedAt.toISOString().slice(0, 10),
    customerId: request.customerId,
    remittanceText: request.reference,
  });
  if (result.decision !== 'auto_apply' || !result.allocations.some((a) => a.rule === 'invoice_reference')) {
    return null;
  }
  const byId = new Map(invoices.map((i) => [i.invoiceId, i]));
  return {
    allocations: result.allocations.map((a) => {
      const invoice = byId.get(a.invoiceId);
      if (invoice === undefined)
        throw new Error(`the engine applied ${a.invoiceId}, not one of the customer's`);
      return {
        invoiceId: a.invoiceId,
        invoiceNumber: a.invoiceNumber,
        applied: a.amount,
        rule: a.rule,
        openAfter: invoice.open.subtract(a.amount),
      };
    }),
    unapplied: result.unapplied,
  };
}
