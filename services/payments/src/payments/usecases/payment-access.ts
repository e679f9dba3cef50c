import { customerInTerritory, type Territory } from '@duemap/auth';
import type { EntityManager } from 'typeorm';
import { PaymentsErrorCode, PaymentsException } from '../../common/payments.exception';
import type { PaymentEntity } from '../payment.entity';
import type { PaymentsRepository } from '../payments.repository';
import { isUuid } from './get-payment.usecase';

function notFound(paymentId: string): PaymentsException {
  return PaymentsException.forField(
    PaymentsErrorCode.PaymentNotFound,
    'id',
    `payment ${paymentId.slice(0, 64)} does not exist`,
  );
}

/**
 * The payment a command acts on, locked for the rest of the transaction (or only read, to learn
 * its customer, whose lock comes first: customer, then payment, in every command); 404 for an unknown id and
 * for a payment outside the caller's territory (a payment without a customer yet belongs to none).
 */
export async function lockPaymentInTerritory(
  em: EntityManager,
  payments: PaymentsRepository,
  paymentId: string,
  territory: Territory | undefined,
  lock = true,
): Promise<PaymentEntity> {
  const payment = !isUuid(paymentId)
    ? null
    : lock
      ? await payments.findPaymentForUpdate(em, paymentId)
      : await payments.findPayment(em, paymentId);
  if (payment === null) throw notFound(paymentId);
  const visible =
    payment.customerId === null
      ? territory === undefined
      : await customerInTerritory(em, territory, payment.customerId);
  if (!visible) throw notFound(paymentId);
  return payment;
}
