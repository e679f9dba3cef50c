import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Territory } from '@duemap/auth';
import { OutboxWriter } from '@duemap/messaging';
import { Money } from '@duemap/money';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import { PaymentsErrorCode, PaymentsException } from '../../common/payments.exception';
import { decideIdempotency } from '../idempotency';
import { refundIssuedEvent } from '../payment-events';
import { ledgerOf, statusOf } from '../payment-ledger';
import { PaymentRefundEntity, type PaymentMethodName } from '../payment.entity';
import type { PaymentView } from '../payment.view';
import { PaymentsRepository } from '../payments.repository';
import { lockPaymentInTerritory } from './payment-access';

export interface RefundPayment {
  paymentId: string;
  amount: Money;
  method: PaymentMethodName;
  reference: string;
  idempotencyKey: string;
  by: string;
  territory?: Territory;
}

export interface RefundResult {
  payment: PaymentView;
  replayed: boolean;
}

/**
 * POST /api/v1/payments/{id}/refunds: pays money back out of what the payment left unapplied (the
 * customer's credit from it), never more, in the payment's currency; emits refund-issued so
 * customers' credit shrinks. Idempotent by key like payments: the same key and body answer the
 * same refund again, another body 409.
 */
@Injectable()
export class RefundPaymentUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly payments: PaymentsRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  async execute(command: RefundPayment): Promise<RefundResult> {
    const hash = createHash('sha256')
      .update(JSON.stringify([command.paymentId, command.amount.toJSON(), command.method, command.reference]))
      .digest('hex');
    try {
      return await this.refundOnce(command, hash);
    } catch (err) {
      // The key taken meanwhile by a refund of another customer's payment (not serialised with this
      // one by a lock): the committed refund decides, a replay or a conflict, never a 500.
      if (!isRefundKeyViolation(err)) throw err;
      const answer = await this.answerForKnownKey(
        this.dataSource.manager,
        command.idempotencyKey,
        hash,
        command.paymentId,
      );
      if (answer) return answer;
      throw err;
    }
  }

  private refundOnce(command: RefundPayment, hash: string): Promise<RefundResult> {
    return this.dataSource.transaction(async (em) => {
      let payment = await lockPaymentInTerritory(
        em,
        this.payments,
        command.paymentId,
        command.territory,
        false,
      );
      const replay = await this.answerForKnownKey(em, command.idempotencyKey, hash, payment.id);
      if (replay) return replay;
      if (payment.customerId === null) throw inReview(payment.id);
      if (command.amount.currency !== payment.currency) {
        throw PaymentsException.forField(
          PaymentsErrorCode.CurrencyMismatch,
          'amount.currency',
          `the payment is in ${payment.currency}; a refund is paid in the payment's currency`,
        );
      }
      if (!command.amount.isPositive()) {
        throw PaymentsException.forField(
          PaymentsErrorCode.AmountNotPositive,
          'amount',
          `a refund must be greater than zero, got ${command.amount.toString()}`,
        );
      }
      await this.payments.lockCustomer(em, payment.customerId);
      payment = await lockPaymentInTerritory(em, this.payments, command.paymentId, command.territory);
      // Under the lock again: the same request sent twice at once found no refund under its key
      // before either committed; the one that waited answers the other's refund, not a 500 from
      // the key's unique constraint.
      const concurrentTwin = await this.answerForKnownKey(em, command.idempotencyKey, hash, payment.id);
      if (concurrentTwin) return concurrentTwin;
      // Decided under the lock: a reversal or a review may have committed since the first read.
      if (payment.status === 'reversed') {
        throw PaymentsException.forField(
          PaymentsErrorCode.PaymentAlreadyReversed,
          'id',
          `payment ${payment.id} was reversed; it holds no credit to refund`,
        );
      }
      if (payment.status === 'needs_review') throw inReview(payment.id);
      const allocations = await this.payments.allocationsOf(em, payment.id);
      const toLedger = (refunded: bigint) =>
        ledgerOf(
          BigInt(payment.amountMinor),
          allocations.map((a) => ({
            appliedMinor: BigInt(a.appliedMinor),
            rejectedMinor: BigInt(a.rejectedMinor),
            reversed: a.reversedAt !== null,
          })),
          refunded,
          false,
        );
      const before = toLedger(BigInt(payment.refundedMinor));
      if (command.amount.minor > before.unappliedMinor) {
        throw PaymentsException.forField(
          PaymentsErrorCode.RefundExceedsCredit,
          'amount',
          `${command.amount.toString()} is more than the ${Money.fromMinor(before.unappliedMinor, payment.currency).toString()} this payment left unapplied`,
        );
      }
      const now = new Date();
      const refund = Object.assign(new PaymentRefundEntity(), {
        id: randomUUID(),
        paymentId: payment.id,
        customerId: payment.customerId,
        amountMinor: command.amount.minor.toString(),
        currency: payment.currency,
        method: command.method,
        reference: command.reference,
        idempotencyKey: command.idempotencyKey,
        requestHash: hash,
        refundedBy: command.by,
        createdAt: now,
      });
      await this.payments.insertRefund(em, refund);
      const refunded = BigInt(payment.refundedMinor) + command.amount.minor;
      payment.refundedMinor = refunded.toString();
      payment.status = statusOf(toLedger(refunded), 'decided');
      payment.updatedAt = now;
      await this.payments.savePayment(em, payment);
      await this.outbox.append(em, refundIssuedEvent(refund, command.method));
      return { payment: (await this.payments.loadView(em, payment.id)) as PaymentView, replayed: false };
    });
  }

  /** The refund already stored under the key: the same body replays it, another is refused (409). */
  private async answerForKnownKey(
    em: EntityManager,
    idempotencyKey: string,
    hash: string,
    paymentId: string,
  ): Promise<RefundResult | undefined> {
    const twin = await this.payments.findRefundByKey(em, idempotencyKey);
    switch (decideIdempotency(twin, hash)) {
      case 'conflict':
        throw PaymentsException.forField(
          PaymentsErrorCode.IdempotencyKeyReused,
          'Idempotency-Key',
          'this Idempotency-Key was already used with a different request body',
        );
      case 'replay':
        return { payment: (await this.payments.loadView(em, paymentId)) as PaymentView, replayed: true };
      case 'new':
        return undefined;
    }
  }
}

function isRefundKeyViolation(err: unknown): boolean {
  if (!(err instanceof QueryFailedError)) return false;
  const driverError = err.driverError as { code?: string; constraint?: string };
  return driverError.code === '23505' && driverError.constraint === 'payment_refund_idempotency_key_uq';
}

function inReview(paymentId: string): PaymentsException {
  return PaymentsException.forField(
    PaymentsErrorCode.PaymentInReview,
    'id',
    `payment ${paymentId} waits for review; decide it before refunding`,
  );
}
