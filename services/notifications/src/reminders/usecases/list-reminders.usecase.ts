import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { NotificationsErrorCode, NotificationsException } from '../../common/notifications.exception';
import { ReminderEntity } from '../reminder.entity';

export interface ReminderFilter {
  readonly invoiceId?: string;
  readonly customerId?: string;
}

/** An invoice's or a customer's reminders, in the order they go out. */
@Injectable()
export class ListRemindersUseCase {
  constructor(@InjectRepository(ReminderEntity) private readonly reminders: Repository<ReminderEntity>) {}

  async execute(filter: ReminderFilter): Promise<ReminderEntity[]> {
    const given = (['invoiceId', 'customerId'] as const).filter((f) => filter[f] !== undefined);
    if (given.length !== 1) {
      const message =
        given.length === 0
          ? 'give exactly one of invoiceId or customerId'
          : 'give only one of invoiceId or customerId, not both';
      throw new NotificationsException(NotificationsErrorCode.InvalidReminderFilter, message, [
        { field: 'invoiceId', message },
        { field: 'customerId', message },
      ]);
    }
    const where =
      filter.invoiceId !== undefined ? { invoiceId: filter.invoiceId } : { customerId: filter.customerId };
    return this.reminders.find({ where, order: { scheduledFor: 'ASC', level: 'ASC', createdAt: 'ASC' } });
  }
}
