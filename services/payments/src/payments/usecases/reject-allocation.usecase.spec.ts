import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { AllocationRejectionReason, createEvent, Topic } from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import type { EntityManager } from 'typeorm';
import { PaymentAllocationEntity, PaymentEntity } from '../payment.entity';
import type { PaymentsRepository } from '../payments.repository';
import { RejectAllocationUseCase } from './reject-allocation.usecase';

const PAYMENT_ID = '5a4c3b2a-1d0e-4f9a-8b7c-6d5e4f3a2b1c';
const em = {} as EntityManager;

function event(
  rejected: string,
  overrides: { paymentId?: string; currency?: string; customerId?: string } = {},
) {
  return createEvent(Topic.AllocationRejected, {
    customerId: overrides.customerId ?? 'cust-1',
    occurredAt: timestampFromDate(new Date('2025-04-01T00:00:00Z')),
    paymentId: overrides.paymentId ?? PAYMENT_ID,
    invoiceId: 'inv-1',
    requested: { amount: '100.00', currency: 'CNY' },
    rejected: { amount: rejected, currency: overrides.currency ?? 'CNY' },
    reason: AllocationRejectionReason.EXCEEDS_OPEN_AMOUNT,
  });
}

function setup(
  allocation: PaymentAllocationEntity | null = Object.assign(new PaymentAllocationEntity(), {
    paymentId: PAYMENT_ID,
    invoiceId: 'inv-1',
    appliedMinor: '10000',
    rejectedMinor: '0',
  }),
) {
  const payments = {
    findPaymentForUpdate: jest
      .fn()
      .mockResolvedValue(
        Object.assign(new PaymentEntity(), { id: PAYMENT_ID, customerId: 'cust-1', currency: 'CNY' }),
      ),
    findAllocation: jest.fn().mockResolvedValue(allocation),
    saveAllocation: jest.fn().mockResolvedValue(undefined),
  };
  return { payments, useCase: new RejectAllocationUseCase(payments as unknown as PaymentsRepository) };
}

describe('RejectAllocationUseCase', () => {
  it('moves the rejected part back to unapplied and keeps the reason', async () => {
    const { useCase, payments } = setup();
    await useCase.execute(event('30.00'), em);
    expect(payments.saveAllocation).toHaveBeenCalledWith(
      em,
      expect.objectContaining({ rejectedMinor: '3000', rejectionReason: 'exceeds_open_amount' }),
    );
  });

  it('never rejects more than was allocated', async () => {
    const { useCase, payments } = setup();
    await useCase.execute(event('250.00'), em);
    expect(payments.saveAllocation).toHaveBeenCalledWith(
      em,
      expect.objectContaining({ rejectedMinor: '10000' }),
    );
  });

  it.each([
    ['a payment id that is not ours', event('1.00', { paymentId: 'pay-x' })],
    ['another currency', event('1.00', { currency: 'USD' })],
    ['a zero amount', event('0')],
    ['another customer', event('1.00', { customerId: 'cust-2' })],
  ])('dead-letters %s', async (_name, bad) => {
    const { useCase, payments } = setup();
    await expect(useCase.execute(bad, em)).rejects.toBeInstanceOf(FatalEventError);
    expect(payments.saveAllocation).not.toHaveBeenCalled();
  });

  it('dead-letters a rejection of an allocation that was never made', async () => {
    const { useCase } = setup(null);
    await expect(useCase.execute(event('1.00'), em)).rejects.toBeInstanceOf(FatalEventError);
  });
});
