import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  GeocodeFailureReason,
  GeocodePrecision,
  isNotOlder,
  Topic,
  type PostalAddress,
} from '@duemap/events';
import { eventTopic, OutboxWriter } from '@duemap/messaging';
import type { EntityManager } from 'typeorm';
import {
  GEOCODING_PROVIDER,
  isPinnable,
  type GeocodeAddress,
  type GeocodePrecision as Precision,
  type GeocodeResult,
  type GeocodingProvider,
} from '../../geocoder/geocoding-provider';
import { PinRepository } from '../pin.repository';

export interface LocateCustomerCommand {
  customerId: string;
  /** The event's customer_version (0 from a producer that predates versions). */
  version: bigint;
  occurredAt: Date;
  /** From customer-upserted; address-changed carries no name. */
  name?: string;
  /** Unset when the customer has no address. */
  address: PostalAddress | undefined;
}

/** What happened, for logs and tests. */
export type LocateOutcome = 'located' | 'failed' | 'unchanged' | 'stale';

const PRECISION: Readonly<Record<Precision, GeocodePrecision>> = {
  rooftop: GeocodePrecision.ROOFTOP,
  street: GeocodePrecision.STREET,
  postcode: GeocodePrecision.POSTCODE,
  district: GeocodePrecision.DISTRICT,
  city: GeocodePrecision.CITY,
  region: GeocodePrecision.REGION,
  country: GeocodePrecision.COUNTRY,
  none: GeocodePrecision.NONE,
};

/**
 * Locates a customer's current address (customer-upserted, address-changed) and records the pin,
 * announcing it with customer-geocoded — or geocode-failed, which withdraws any earlier location.
 * An address already geocoded (by the same provider) is not geocoded or announced again: the
 * customers service sends both events for a new customer, and upserts that change other fields.
 * An address event older than the one the pin is for (by customer version, else by occurred_at)
 * changes nothing. Each verdict gets the next geocode version of the pin, under the pin's lock, and
 * its event carries it, so customers orders the verdicts without trusting clocks.
 */
@Injectable()
export class LocateCustomerUseCase {
  constructor(
    @Inject(GEOCODING_PROVIDER) private readonly geocoder: GeocodingProvider,
    private readonly pins: PinRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  async execute(cmd: LocateCustomerCommand, em: EntityManager): Promise<LocateOutcome> {
    const { customerId, version, occurredAt } = cmd;
    const current = await this.pins.lockLocation(
      em,
      customerId,
      cmd.name === undefined ? undefined : { name: cmd.name, version, occurredAt },
    );
    if (!isNotOlder({ version, occurredAt }, current.location)) return 'stale';

    const address = toGeocodeAddress(cmd.address);
    const addressHash = this.fingerprint(address);
    if (current.location && current.addressHash === addressHash) {
      await this.pins.touchLocation(em, customerId, { version, occurredAt });
      return 'unchanged';
    }

    const result = await this.geocoder.geocode(address);
    const now = new Date();
    const geocodeVersion = current.geocodeVersion + 1n;
    if (result && isPinnable(result)) {
      const { normalized } = result;
      await this.pins.saveLocation(em, customerId, {
        version,
        occurredAt,
        geocodeVersion,
        addressHash,
        state: 'located',
        failure: null,
        location: { lat: result.lat, lng: result.lng, precision: result.precision, source: result.source },
        countryCode: normalized.countryCode,
        regionCode: normalized.region?.code ?? null,
        regionName: normalized.region?.name ?? null,
        city: normalized.city ?? null,
        districtCode: normalized.district?.code ?? null,
        districtName: normalized.district?.name ?? null,
      });
      await this.outbox.append(em, {
        topic: eventTopic(Topic.CustomerGeocoded),
        key: customerId,
        occurredAt: now,
        event: {
          customerId,
          occurredAt: timestampFromDate(now),
          geocodeVersion,
          latitude: result.lat,
          longitude: result.lng,
          precision: PRECISION[result.precision],
          source: result.source,
          normalizedAddress: {
            countryCode: normalized.countryCode,
            region: normalized.region?.name ?? '',
            city: normalized.city ?? '',
          },
        },
      });
      return 'located';
    }

    // No pin for a country centre or nothing: the customer is "not located", with the reason.
    const { reason, detail } = whyNotFound(address, result);
    await this.pins.saveLocation(em, customerId, {
      version,
      occurredAt,
      geocodeVersion,
      addressHash,
      state: 'failed',
      failure: GeocodeFailureReason[reason].toLowerCase(),
      location: null,
      countryCode: result?.normalized.countryCode || address.countryCode?.toUpperCase() || null,
      regionCode: null,
      regionName: address.region || null,
      city: address.city || null,
    });
    await this.outbox.append(em, {
      topic: eventTopic(Topic.GeocodeFailed),
      key: customerId,
      occurredAt: now,
      event: {
        customerId,
        occurredAt: timestampFromDate(now),
        geocodeVersion,
        reason,
        detail,
        ...(cmd.address ? { address: cmd.address } : {}),
        willRetry: false,
        candidates: (result?.candidates ?? []).map((c) => ({ label: c.label, code: c.code ?? '' })),
        confidence: result?.confidence ?? 0,
      },
    });
    return 'failed';
  }

  private fingerprint(address: GeocodeAddress): string {
    const parts = [
      this.geocoder.name,
      address.countryCode,
      address.region,
      address.city,
      address.district,
      address.postalCode,
      address.streetLines,
      address.singleLine,
    ];
    return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
  }
}

export function toGeocodeAddress(address: PostalAddress | undefined): GeocodeAddress {
  if (!address) return {};
  return {
    countryCode: address.countryCode.trim(),
    region: address.region.trim(),
    city: address.city.trim(),
    district: address.district.trim(),
    postalCode: address.postalCode.trim(),
    streetLines: address.streetLines,
    singleLine: address.singleLine.trim(),
  };
}

function whyNotFound(
  address: GeocodeAddress,
  result: GeocodeResult | null,
): { reason: GeocodeFailureReason; detail: string } {
  if (result?.candidates && result.candidates.length > 1) {
    return {
      reason: GeocodeFailureReason.AMBIGUOUS,
      detail: `the address may mean any of: ${result.candidates.map((c) => c.label).join(', ')}`,
    };
  }
  if (result?.precision === 'country') {
    return {
      reason: GeocodeFailureReason.COUNTRY_ONLY,
      detail: `only the country (${result.normalized.countryCode}) was recognised; a country centre is no place to visit`,
    };
  }
  if (!address.countryCode && !address.region && !address.city && !address.singleLine) {
    return {
      reason: GeocodeFailureReason.INCOMPLETE_ADDRESS,
      detail: 'the address has no country, region, city or one-line form to locate',
    };
  }
  if (address.countryCode) {
    return {
      reason: GeocodeFailureReason.NO_MATCH,
      detail: `country code "${address.countryCode}" is not a country the geocoder knows`,
    };
  }
  return {
    reason: GeocodeFailureReason.NO_MATCH,
    detail: 'no country code, and no country could be recognised in the address',
  };
}
