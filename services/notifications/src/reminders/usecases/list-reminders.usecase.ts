import { Injectable } from '@nestjs/common';
import { customerTerritoryFilter, namedBinder, type Territory } from '@duemap/auth';
import { InjectRepository } from '@nestjs/typeorm';
import { Raw, type FindOptionsWhere, type Repository } from 'typeorm';
import { NotificationsErrorCode, NotificationsException } from '../../common/notifications.exception';
import { ReminderEntity } from '../reminder.entity';

export interface ReminderFilter {
  readonly invoiceId?: string;
  readonly customerId?: string;
}

// Stands for the customer id column until TypeORM names it (Raw's callback).
const CUSTOMER_COLUMN = '__customer_id__';

/**
 * The reminders' customer condition: the customer asked for (if one was) and inside the caller's
 * territory, by customer_placements, in the query itself.
 */
function customerCondition(
  customerId: string | undefined,
  territory: Territory,
): FindOptionsWhere<ReminderEntity>['customerId'] {
  const parameters: Record<string, unknown> = { remindersOfCustomer: customerId };
  const inside = customerTerritoryFilter(territory, CUSTOMER_COLUMN, namedBinder(parameters));
  return Raw((column) => {
    const predicate = inside.split(CUSTOMER_COLUMN).join(column);
    return customerId === undefined ? predicate : `${column} = :remindersOfCustomer AND ${predicate}`;
  }, parameters);
}

/**
 * An invoice's or a customer's reminders, in the order they go out; with a territory (a
 * collector's), only those of customers inside it.
 */
@Injectable()
export class ListRemindersUseCase {
  constructor(@InjectRepository(ReminderEntity) private readonly reminders: Repository<ReminderEntity>) {}

  async execute(filter: ReminderFilter, territory?: Territory): Promise<ReminderEntity[]> {
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
    const where: FindOptionsWhere<ReminderEntity> =
      filter.invoiceId !== undefined ? { invoiceId: filter.invoiceId } : { customerId: filter.customerId };
    if (territory !== undefined) where.customerId = customerCondition(filter.customerId, territory);
    return this.reminders.find({ where, order: { scheduledFor: 'ASC', level: 'ASC', createdAt: 'ASC' } });
  }
}
