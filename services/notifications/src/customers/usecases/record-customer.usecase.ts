import { timestampDate } from '@bufbuild/protobuf/wkt';
import { Inject, Injectable } from '@nestjs/common';
import {
  compareEventPositions,
  CustomerTier as ContractTier,
  type EventOf,
  type Topic,
} from '@duemap/events';
import type { Logger } from 'pino';
import { SERVICE_LOGGER } from '../../common/logger';
import { InvoiceRepository } from '../../invoices/invoice.repository';
import { ReminderPlanner, type PlanTransaction } from '../../reminders/reminder-planner';
import type { CustomerTier } from '../../reminder-policy/reminder-policy';
import { isValidTimeZone } from '../../reminder-policy/zoned-time';
import { CustomerEntity } from '../customer.entity';

export function tierName(tier: ContractTier): CustomerTier {
  switch (tier) {
    case ContractTier.VIP:
      return 'vip';
    case ContractTier.STANDARD:
    case ContractTier.UNSPECIFIED:
      return 'standard';
    default:
      // A tier from a newer contract revision: the contract says treat it like UNSPECIFIED.
      return 'standard';
  }
}

export type RecordCustomerOutcome = 'created' | 'updated' | 'stale';

/**
 * Keeps the customer read model (name, time zone, locale, tier) from customer-upserted, and
 * re-plans the customer's open invoices when the time zone or tier changed: reminders planned
 * in UTC because the customer was not known yet move to 09:00 of the customer's own day. An event
 * that is not newer than what is held (by customer version, else by occurred_at) is stale.
 */
@Injectable()
export class RecordCustomerUseCase {
  constructor(
    private readonly invoices: InvoiceRepository,
    private readonly planner: ReminderPlanner,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async execute(
    event: EventOf<typeof Topic.CustomerUpserted>,
    tx: PlanTransaction,
  ): Promise<RecordCustomerOutcome> {
    const occurredAt = event.occurredAt ? timestampDate(event.occurredAt) : new Date(0);
    const timeZone = isValidTimeZone(event.timeZone) ? event.timeZone : 'UTC';
    if (timeZone !== event.timeZone && event.timeZone !== '') {
      this.logger.warn(
        { customerId: event.customerId, timeZone: event.timeZone },
        'unknown time zone, using UTC',
      );
    }
    const next = {
      customerId: event.customerId,
      name: event.name,
      timeZone,
      locale: event.locale,
      tier: tierName(event.tier),
      version: event.customerVersion.toString(),
      occurredAt,
    };
    const repo = tx.em.getRepository(CustomerEntity);
    const inserted = await repo
      .createQueryBuilder()
      .insert()
      .values(next)
      .orIgnore()
      .returning('customer_id')
      .execute();
    let outcome: RecordCustomerOutcome = 'created';
    if ((inserted.raw as unknown[]).length === 0) {
      const current = await repo.findOne({
        where: { customerId: event.customerId },
        lock: { mode: 'pessimistic_write' },
      });
      if (current === null) throw new Error(`customer ${event.customerId} vanished while being updated`);
      const held = { version: BigInt(current.version), occurredAt: current.occurredAt };
      if (compareEventPositions({ version: event.customerVersion, occurredAt }, held) <= 0) return 'stale';
      await repo.update({ customerId: event.customerId }, { ...next, updatedAt: new Date() });
      if (current.timeZone === next.timeZone && current.tier === next.tier) return 'updated';
      outcome = 'updated';
    }
    // Invoices issued before the customer was known were planned in UTC with the default policy.
    // All of them in one plan: their reminders are read in one statement, written in one or two.
    const reanchorDetail = `the customer's time zone is now ${timeZone}; the reminder's new time has passed`;
    const open = await this.invoices.lockOpenOfCustomer(tx.em, event.customerId);
    await this.planner.replanAll(
      tx,
      open.map((invoice) => ({ invoice, reanchorDetail })),
    );
    return outcome;
  }
}
