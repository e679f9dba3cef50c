import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PaymentsErrorCode, PaymentsException } from '../../common/payments.exception';
import type { PaymentView } from '../payment.view';
import { PaymentsRepository } from '../payments.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** GET /api/v1/payments/{id}: the payment with its allocations as they stand now. */
@Injectable()
export class GetPaymentUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly payments: PaymentsRepository,
  ) {}

  async execute(paymentId: string): Promise<PaymentView> {
    // Payment ids are UUIDs; anything else names no payment (and must not reach a uuid column).
    const view = isUuid(paymentId) ? await this.payments.loadView(this.dataSource.manager, paymentId) : null;
    if (view === null) {
      throw PaymentsException.forField(
        PaymentsErrorCode.PaymentNotFound,
        'id',
        `payment ${paymentId.slice(0, 64)} does not exist`,
      );
    }
    return view;
  }
}
