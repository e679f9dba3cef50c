import { Injectable } from '@nestjs/common';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { GeocodePrecision, type CustomerGeocoded, type GeocodeFailed } from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import type { EntityManager } from 'typeorm';
import { CustomerEntity } from '../../customers/customer.entity';
import type { LocationPrecisionName } from '../../customers/customer-record';
import { isUuid } from '../../customers/usecases/get-customer.usecase';

export function precisionName(precision: GeocodePrecision): LocationPrecisionName | null {
  switch (precision) {
    case GeocodePrecision.ROOFTOP:
      return 'rooftop';
    case GeocodePrecision.POSTCODE:
      return 'postcode';
    case GeocodePrecision.DISTRICT:
      return 'district';
    case GeocodePrecision.CITY:
      return 'city';
    case GeocodePrecision.REGION:
      return 'region';
    case GeocodePrecision.COUNTRY:
      return 'country';
    case GeocodePrecision.UNSPECIFIED:
      return null;
    default:
      // A value added to the contract after this build: treated like UNSPECIFIED, as the contract asks.
      return null;
  }
}

export type LocationOutcome = 'applied' | 'stale' | 'unknown-customer';

/**
 * Keeps the customer's location as geocoding last reported it: customer-geocoded sets it,
 * geocode-failed withdraws it. An event older than the last one applied is ignored.
 */
@Injectable()
export class RecordLocationUseCase {
  async geocoded(event: CustomerGeocoded, em: EntityManager): Promise<LocationOutcome> {
    const { latitude, longitude } = event;
    if (!(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180)) {
      throw new FatalEventError(
        `location ${latitude},${longitude} is outside WGS 84 bounds`,
        'INVALID_EVENT',
      );
    }
    return this.apply(em, event.customerId, event.occurredAt && timestampDate(event.occurredAt), {
      latitude,
      longitude,
      locationPrecision: precisionName(event.precision),
      locationSource: event.source === '' ? null : event.source,
    });
  }

  async failed(event: GeocodeFailed, em: EntityManager): Promise<LocationOutcome> {
    return this.apply(em, event.customerId, event.occurredAt && timestampDate(event.occurredAt), {
      latitude: null,
      longitude: null,
      locationPrecision: null,
      locationSource: null,
    });
  }

  private async apply(
    em: EntityManager,
    customerId: string,
    occurredAt: Date | undefined,
    location: Pick<CustomerEntity, 'latitude' | 'longitude' | 'locationPrecision' | 'locationSource'>,
  ): Promise<LocationOutcome> {
    if (occurredAt === undefined) throw new FatalEventError('event has no occurred_at', 'INVALID_EVENT');
    if (!isUuid(customerId)) return 'unknown-customer';
    const customers = em.getRepository(CustomerEntity);
    const row = await customers.findOne({
      where: { id: customerId.toLowerCase() },
      lock: { mode: 'pessimistic_write' },
    });
    if (row === null) return 'unknown-customer';
    if (row.locationOccurredAt !== null && row.locationOccurredAt.getTime() > occurredAt.getTime())
      return 'stale';
    await customers.update(
      { id: row.id },
      { ...location, locationOccurredAt: occurredAt, updatedAt: new Date() },
    );
    return 'applied';
  }
}
