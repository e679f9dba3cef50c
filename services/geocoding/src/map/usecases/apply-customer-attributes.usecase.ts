import { Injectable } from '@nestjs/common';
import { CustomerTier, type CreditRatingChanged, type CustomerUpserted } from '@duemap/events';
import type { EntityManager } from 'typeorm';
import type { PinTier } from '../customer-pin.entity';
import { customerPositionOf } from '../event-time';
import { PinRepository } from '../pin.repository';

/** The pin's tier for a proto tier; UNSPECIFIED and values added after this build count as standard. */
export function pinTierOf(tier: CustomerTier): PinTier {
  return tier === CustomerTier.VIP ? 'vip' : 'standard';
}

/** A credit grade as the map shows it: trimmed, null when withdrawn (empty). */
export function creditGradeOf(rating: string): string | null {
  const grade = rating.trim();
  return grade === '' ? null : grade.slice(0, 20);
}

/** The ERP systems the customer has records in (lower case, each once), for the source filter. */
export function sourceSystemsOf(event: Pick<CustomerUpserted, 'sources'>): string[] {
  return [
    ...new Set(event.sources.map((s) => s.sourceSystem.trim().toLowerCase()).filter((s) => s !== '')),
  ].sort();
}

/**
 * What the map shows and filters on besides location, status and balance: the service tier and source
 * ERP systems (from customer-upserted) and the credit grade (from credit-rating-changed). Each keeps the customer
 * version of its event; an older event than the one applied changes nothing.
 */
@Injectable()
export class ApplyCustomerAttributesUseCase {
  constructor(private readonly pins: PinRepository) {}

  async tier(event: CustomerUpserted, em: EntityManager): Promise<void> {
    await this.pins.applyProfile(
      em,
      event.customerId,
      pinTierOf(event.tier),
      customerPositionOf(event),
      sourceSystemsOf(event),
    );
  }

  async rating(event: CreditRatingChanged, em: EntityManager): Promise<void> {
    await this.pins.applyRating(em, event.customerId, creditGradeOf(event.rating), customerPositionOf(event));
  }
}
