import { Injectable } from '@nestjs/common';
import { customerInTerritory, type Territory } from '@duemap/auth';
import { DataSource } from 'typeorm';
import { PaymentsErrorCode, PaymentsException } from '../../common/payments.exception';
import type { PaymentView } from '../payment.view';
import { PaymentsRepository } from '../payments.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * GET /api/v1/payments/{id}: the payment with its allocations as they stand now. A payment of a
 * customer outside the caller's territory is not found, like an unknown id.
 */
@Injectable()
export class GetPaymentUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly payments: PaymentsRepository,
  ) {}

  async execute(paymentId: string, territory?: Territory): Promise<PaymentView> {
    const em = this.dataSource.manager;
    // Payment ids are UUIDs; anything else names no payment (and must not reach a uuid column).
    const view = isUuid(paymentId) ? await this.payments.loadView(em, paymentId) : null;
    if (view === null || !(await this.visible(view, territory))) {
      throw PaymentsException.forField(
        PaymentsErrorCode.PaymentNotFound,
        'id',
        `payment ${paymentId.slice(0, 64)} does not exist`,
      );
    }
    return view;
  }

  /** A payment whose payer is not identified yet belongs to no territory: only the unrestricted see it. */
  private visible(view: PaymentView, territory: Territory | undefined): Promise<boolean> {
    if (view.customerId === null) return Promise.resolve(territory === undefined);
    return customerInTerritory(this.dataSource.manager, territory, view.customerId);
  }
}
