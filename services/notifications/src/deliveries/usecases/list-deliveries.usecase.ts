import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { customerTerritoryFilter, namedBinder, type Territory } from '@duemap/auth';
import type { Repository } from 'typeorm';
import { NotificationsErrorCode, NotificationsException } from '../../common/notifications.exception';
import { DeliveryEntity, type DeliveryStatus } from '../delivery.entity';

export interface DeliveryFilter {
  readonly invoiceId?: string;
  readonly customerId?: string;
  readonly status?: DeliveryStatus;
  readonly limit?: number;
}

/**
 * The delivery log of an invoice's or a customer's reminders, newest attempt first; with a
 * territory (a collector's), only customers inside it, in the query itself.
 */
@Injectable()
export class ListDeliveriesUseCase {
  constructor(@InjectRepository(DeliveryEntity) private readonly deliveries: Repository<DeliveryEntity>) {}

  async execute(filter: DeliveryFilter, territory?: Territory): Promise<DeliveryEntity[]> {
    if (filter.invoiceId === undefined && filter.customerId === undefined) {
      const message = 'give invoiceId or customerId';
      throw new NotificationsException(NotificationsErrorCode.InvalidDeliveryFilter, message, [
        { field: 'invoiceId', message },
        { field: 'customerId', message },
      ]);
    }
    const query = this.deliveries.createQueryBuilder('d');
    if (filter.invoiceId !== undefined)
      query.andWhere('d.invoice_id = :invoiceId', { invoiceId: filter.invoiceId });
    if (filter.customerId !== undefined) {
      query.andWhere('d.customer_id = :customerId', { customerId: filter.customerId });
    }
    if (filter.status !== undefined) query.andWhere('d.status = :status', { status: filter.status });
    if (territory !== undefined) {
      const parameters: Record<string, unknown> = {};
      query.andWhere(
        customerTerritoryFilter(territory, 'd.customer_id', namedBinder(parameters)),
        parameters,
      );
    }
    return query
      .orderBy('d.last_attempt_at', 'DESC')
      .addOrderBy('d.id', 'ASC')
      .limit(filter.limit ?? 100)
      .getMany();
  }
}
