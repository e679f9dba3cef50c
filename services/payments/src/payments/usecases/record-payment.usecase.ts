import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Topic } from '@duemap/events';
import { InjectConfig } from '@duemap/config';
import { eventTopic } from '@duemap/messaging';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import { outboxRow } from '@duemap/messaging';
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
} from '../cash-application';
import { decideIdempotency } from '../idempotency';
import { methodToProto, ruleToProto } from '../payment-enums';
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
  constructor(
    private readonly dataSource: DataSource,
    @InjectConfig() private readonly config: PaymentsConfig,
    private readonly payments: PaymentsRepository,
    private readonly customers: CustomerViewRepository,
    private readonly customerDirectory: CustomerDirectory,
    private readonly invoices: InvoiceViewRepository,
    private readonly invoiceDirectory: InvoiceDirectory,
  ) {}

  async execute(request: PaymentRequest): Promise<RecordPaymentResult> {
    const hash = requestHash(request);
    checkRequestedAllocations(request.amount, request.allocations);

    // The common case first: no explicit allocations and a customer the read model knows. The
    // customer's row is then found by the lock itself, with no lookup before the transaction.
    if (request.allocations.length === 0) {
      const answer = await this.record(request, hash, { fetchedInvoices: [] });
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
    const answer = await this.record(request, hash, {
      fetchedCustomer: customer.fetched ? customer.snapshot : undefined,
      fetchedInvoices,
    });
    if (answer === CUSTOMER_UNKNOWN) {
      throw new Error(`customer_view row of ${request.customerId} is missing after it was found`);
    }
    return answer;
  }

  /**
   * The transaction, in two statements between BEGIN and COMMIT (after the rows fetched over HTTP,
   * on the slow path): lock the customer and read the key's payment and the invoices; then store
   * the payment, its allocations and its event.
   */
  private async record(
    request: PaymentRequest,
    hash: string,
    fetched: { fetchedCustomer?: CustomerSnapshot; fetchedInvoices: InvoiceRecord[] },
  ): Promise<RecordPaymentResult | typeof CUSTOMER_UNKNOWN> {
    try {
      return await this.dataSource.transaction(async (em) => {
        // Fetched rows go in with the payment: a rejected request leaves nothing behind.
        if (fetched.fetchedCustomer) await this.customers.insertFetched(em, fetched.fetchedCustomer);
        for (const invoice of fetched.fetchedInvoices) await this.invoices.insertFetched(em, invoice);
        const grounds = await this.payments.lockForPayment(
          em,
          request.customerId,
          request.idempotencyKey,
          request.allocations.length > 0
            ? { invoiceIds: request.allocations.map((a) => a.invoiceId) }
            : { currency: request.amount.currency },
        );
        if (grounds === null) return CUSTOMER_UNKNOWN;
        // Read under the customer's lock: a concurrent twin of this request has committed by now, if any.
        const twin = await this.answerForKnownKey(em, grounds.twin, request.idempotencyKey, hash);
        if (twin) return twin;
        const stored = await this.store(em, request, hash, decide(request, grounds));
        // The answer is what was just written, not a read back of it.
        return { payment: toPaymentView(stored.payment, stored.allocations), replayed: false };
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

  private async store(
    em: EntityManager,
    request: PaymentRequest,
    hash: string,
    application: CashApplication,
  ): Promise<NewPayment> {
    const paymentId = randomUUID();
    const now = new Date();
    const payment = Object.assign(new PaymentEntity(), {
      id: paymentId,
      customerId: request.customerId,
      amountMinor: request.amount.minor.toString(),
      currency: request.amount.currency,
      receivedAt: request.receivedAt,
      method: request.method,
      reference: request.reference,
      status: 'received' as const,
      idempotencyKey: request.idempotencyKey,
      requestHash: hash,
      createdAt: now,
    });
    const allocations = application.allocations.map((a, position) =>
      Object.assign(new PaymentAllocationEntity(), {
        paymentId,
        invoiceId: a.invoiceId,
        position,
        invoiceNumber: a.invoiceNumber,
        appliedMinor: a.applied.minor.toString(),
        rejectedMinor: '0',
        rule: a.rule,
        rejectionReason: null,
        rejectedAt: null,
      }),
    );
    // The outbox row goes in with the payment (one statement), as OutboxWriter.append would write it.
    const event = outboxRow(this.config.SERVICE_NAME, {
      topic: eventTopic(Topic.PaymentReceived),
      key: request.customerId,
      occurredAt: now,
      event: {
        customerId: request.customerId,
        occurredAt: timestampFromDate(now),
        paymentId,
        amount: request.amount.toJSON(),
        allocations: application.allocations.map((a) => ({
          invoiceId: a.invoiceId,
          applied: a.applied.toJSON(),
          rule: ruleToProto(a.rule),
          invoiceNumber: a.invoiceNumber,
        })),
        unapplied: application.unapplied.toJSON(),
        method: methodToProto(request.method),
        reference: request.reference,
        receivedAt: timestampFromDate(request.receivedAt),
        source: { sourceSystem: 'api', externalId: request.idempotencyKey },
      },
    });
    await this.payments.insertWithEvent(em, { payment, allocations }, event);
    return { payment, allocations };
  }
}

/** Explicit allocations as asked (each checked against its invoice), or oldest due first. */
function decide(request: PaymentRequest, grounds: PaymentGrounds): CashApplication {
  if (request.allocations.length > 0) {
    return applyExplicit(
      request.amount,
      request.customerId,
      request.allocations,
      new Map(grounds.invoices.map((i) => [i.invoiceId, i])),
    );
  }
  return applyOldestDueFirst(request.amount, request.customerId, grounds.invoices);
}
