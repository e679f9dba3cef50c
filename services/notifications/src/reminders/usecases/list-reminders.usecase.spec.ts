import type { Repository } from 'typeorm';
import { NotificationsException } from '../../common/notifications.exception';
import type { ReminderEntity } from '../reminder.entity';
import { ListRemindersUseCase } from './list-reminders.usecase';

const INVOICE = '0b6f8f1e-3c1a-4f7e-9a51-2f4b7c9d1e02';
const CUSTOMER = '5c3a6f0e-2b1d-4c8e-8f7a-1d2e3f4a5b6c';

function setup() {
  const repo = { find: jest.fn().mockResolvedValue([]) };
  return { repo, useCase: new ListRemindersUseCase(repo as unknown as Repository<ReminderEntity>) };
}

function errorOf(promise: Promise<unknown>): Promise<NotificationsException> {
  return promise.then(
    () => {
      throw new Error('expected a NotificationsException');
    },
    (err: unknown) => err as NotificationsException,
  );
}

describe('ListRemindersUseCase', () => {
  it("lists an invoice's reminders by scheduledFor", async () => {
    const { repo, useCase } = setup();
    await useCase.execute({ invoiceId: INVOICE });
    expect(repo.find).toHaveBeenCalledWith({
      where: { invoiceId: INVOICE },
      order: { scheduledFor: 'ASC', level: 'ASC', createdAt: 'ASC' },
    });
  });

  it("lists a customer's reminders", async () => {
    const { repo, useCase } = setup();
    await useCase.execute({ customerId: CUSTOMER });
    expect(repo.find).toHaveBeenCalledWith(expect.objectContaining({ where: { customerId: CUSTOMER } }));
  });

  it.each([
    ['neither filter', {}, 'give exactly one of invoiceId or customerId'],
    [
      'both filters',
      { invoiceId: INVOICE, customerId: CUSTOMER },
      'give only one of invoiceId or customerId, not both',
    ],
  ])('refuses %s with a 400 naming both fields, without reading anything', async (_, filter, message) => {
    const { repo, useCase } = setup();
    const err = await errorOf(useCase.execute(filter));
    expect(err).toBeInstanceOf(NotificationsException);
    expect(err.status).toBe(400);
    expect(err.code).toBe('INVALID_REMINDER_FILTER');
    expect(err.details).toEqual([
      { field: 'invoiceId', message },
      { field: 'customerId', message },
    ]);
    expect(repo.find).not.toHaveBeenCalled();
  });
});
