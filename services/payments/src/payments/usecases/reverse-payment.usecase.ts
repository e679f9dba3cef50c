import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Territory } from '@duemap/auth';
import { OutboxWriter } from '@duemap/messaging';
import { DataSource } from 'typeorm';
import { PaymentsErrorCode, PaymentsException } from '../../common/payments.exception';
import { paymentReversedEvent, type ReversalReasonName } from '../payment-events';
import { ledgerOf } from '../payment-ledger';
import type { PaymentEntity } from '../payment.entity';
import { toPaymentView, type PaymentView } from '../payment.view';
import { PaymentsRepository } from '../payments.repository';
import { lockPaymentInTerritory } from './payment-access';

export interface ReversePayment {
  paymentId: string;
  reason: ReversalReasonName;
  detail: string;
  by: string;
  territory?: Territory;
}

/**
 * POST /api/v1/payments/{id}/reverse (bounced cheque, returned transfer, chargeback): undoes every
 * allocation in effect and the unapplied credit still held, under the customer's payment lock,
 * and emits payment-reversed with them, so invoicing reopens the invoices, customers takes the
 * credit back and the status, the pin and the reminders follow. A reversed payment stays reversed:
 * a second reversal is refused (409) and changes nothing.
 */
@Injectable()
export class ReversePaymentUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly payments: PaymentsRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  execute(command: ReversePayment): Promise<PaymentView> {
    return this.dataSource.transaction(async (em) => {
      let payment = await lockPaymentInTerritory(
        em,
        this.payments,
        command.paymentId,
        command.territory,
        false,
      );
      checkReversible(payment);
      // The customer's lock first (the order every payment takes), then the payment again under it.
      await this.payments.lockCustomer(em, payment.customerId as string);
      payment = await lockPaymentInTerritory(em, this.payments, command.paymentId, command.territory);
      checkReversible(payment); // again, under the lock: a concurrent reversal may have won
      const allocations = await this.payments.allocationsOf(em, payment.id);
      const inEffect = allocations.filter((a) => a.reversedAt === null);
      const ledger = ledgerOf(
        BigInt(payment.amountMinor),
        allocations.map((a) => ({
          appliedMinor: BigInt(a.appliedMinor),
          rejectedMinor: BigInt(a.rejectedMinor),
          reversed: a.reversedAt !== null,
        })),
        BigInt(payment.refundedMinor),
        false,
      );
      const now = new Date();
      await this.payments.markAllocationsReversed(em, payment.id, now);
      Object.assign(payment, {
        status: 'reversed' as const,
        reversedAt: now,
        reversalReason: command.reason,
        reversalDetail: command.detail,
        reversedBy: command.by,
        updatedAt: now,
      });
      await this.payments.savePayment(em, payment);
      await this.outbox.append(
        em,
        paymentReversedEvent(
          payment,
          inEffect,
          ledger.unappliedMinor,
          command.reason,
          command.detail,
          randomUUID(),
          now,
        ),
      );
      return toPaymentView(
        payment,
        allocations.map((a) => Object.assign(a, { reversedAt: a.reversedAt ?? now })),
      );
    });
  }
}

function checkReversible(payment: PaymentEntity): void {
  if (payment.status === 'reversed') {
    throw PaymentsException.forField(
      PaymentsErrorCode.PaymentAlreadyReversed,
      'id',
      `payment ${payment.id} was reversed already`,
    );
  }
  if (payment.status === 'needs_review' || payment.customerId === null) {
    throw PaymentsException.forField(
      PaymentsErrorCode.PaymentInReview,
      'id',
      `payment ${payment.id} waits for review and was never applied; decide it first`,
    );
  }
}
