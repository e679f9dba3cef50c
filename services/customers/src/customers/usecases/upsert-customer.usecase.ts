import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Topic } from '@duemap/events';
import { eventTopic, OutboxWriter } from '@duemap/messaging';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { CustomerEntity, CustomerSourceEntity } from '../customer.entity';
import { addressChangedEvent, customerUpsertedEvent } from '../customer-events';
import {
  mergeMaster,
  normalizeTaxId,
  sameAddress,
  sameMaster,
  type UpsertCustomerInput,
} from '../customer-master';
import { CustomerRecords, noLocationVerdict, type CustomerView } from '../customer-record';
import { CustomersErrorCode, CustomersException } from '../customers.exception';

export interface SourceRef {
  sourceSystem: string;
  externalId: string;
}

export interface UpsertCustomerResult {
  /** A new customer was created (201); false when an existing one was updated or unchanged. */
  created: boolean;
  /** Something changed (and events were written). */
  changed: boolean;
  customer: CustomerView;
}

/** "sap-ecc-cn": lower-case letters, digits, '.', '_' and '-' (SourceRef in proto/duemap/common). */
const SOURCE_SYSTEM = /^[a-z0-9][a-z0-9._-]{0,63}$/;
// Printable, no control characters; external ids are kept verbatim otherwise.
const EXTERNAL_ID = /^[^\p{Cc}]{1,128}$/u;

/** Lower-cases the source system and checks both parts; throws 400 naming the bad one. */
export function parseSourceRef(sourceSystem: string, externalId: string): SourceRef {
  const system = sourceSystem.trim().toLowerCase();
  const details = [];
  if (!SOURCE_SYSTEM.test(system)) {
    details.push({
      field: 'sourceSystem',
      message: 'sourceSystem must be 1-64 characters: letters, digits, ".", "_" and "-", e.g. "sap-ecc-cn"',
    });
  }
  if (!EXTERNAL_ID.test(externalId) || externalId.trim() !== externalId) {
    details.push({
      field: 'externalId',
      message: 'externalId must be 1-128 characters without control characters or surrounding spaces',
    });
  }
  if (details.length > 0) {
    throw new CustomersException(
      CustomersErrorCode.InvalidSourceReference,
      details.map((d) => d.message).join('; '),
      details,
    );
  }
  return { sourceSystem: system, externalId };
}

/**
 * Creates or updates the customer a source record maps to, in one transaction with its events.
 *
 * - A known (sourceSystem, externalId) updates its customer.
 * - An unknown one whose tax id belongs to a customer joins that customer (merge by tax id).
 * - Otherwise a new customer is created.
 * Nothing changed: nothing is written and no event is emitted.
 */
@Injectable()
export class UpsertCustomerUseCase {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly records: CustomerRecords,
  ) {}

  async execute(ref: SourceRef, input: UpsertCustomerInput): Promise<UpsertCustomerResult> {
    return this.dataSource.transaction(async (em) => {
      // Serialise upserts of the same source record and of the same tax id, so that two concurrent
      // first deliveries cannot create two customers. Source first, then tax id: one order for all.
      await lock(em, `customers:source:${JSON.stringify([ref.sourceSystem, ref.externalId])}`);
      const taxId = typeof input.taxId === 'string' ? normalizeTaxId(input.taxId) : null;
      if (taxId !== null) await lock(em, `customers:tax-id:${taxId}`);

      const customers = em.getRepository(CustomerEntity);
      const mapping = await em.getRepository(CustomerSourceEntity).findOneBy(ref);
      let row: CustomerEntity | null = null;
      if (mapping !== null) {
        row = await customers.findOne({
          where: { id: mapping.customerId },
          lock: { mode: 'pessimistic_write' },
        });
      } else if (taxId !== null) {
        row = await customers.findOne({ where: { taxId }, lock: { mode: 'pessimistic_write' } });
      }

      const now = new Date();
      const created = row === null;
      const previous = row === null ? undefined : this.records.readMaster(row);
      const next = mergeMaster(previous, input);
      if (row !== null && next.taxId !== null && next.taxId !== row.taxId) {
        const owner = await customers.findOneBy({ taxId: next.taxId });
        if (owner !== null && owner.id !== row.id) {
          throw new CustomersException(
            CustomersErrorCode.TaxIdConflict,
            `tax id ${next.taxId} belongs to another customer (${owner.id}); customers are not merged by an update`,
            [{ field: 'taxId', message: 'taxId belongs to another customer' }],
          );
        }
      }

      if (row === null) {
        row = customers.create({
          id: randomUUID(),
          creditRating: null,
          arStatus: 'paid',
          balances: [],
          latitude: null,
          longitude: null,
          locationPrecision: null,
          locationSource: null,
          locationOccurredAt: null,
          ...noLocationVerdict(),
          locationVersion: '0',
          version: '0',
          createdAt: now,
          updatedAt: now,
        });
      }
      const addressChanged = !sameAddress(previous?.address ?? null, next.address);
      const masterChanged = previous === undefined || !sameMaster(previous, next);
      const sourceAdded = mapping === null;

      let sources = await em.getRepository(CustomerSourceEntity).findBy({ customerId: row.id });
      if (!masterChanged && !sourceAdded) {
        return { created: false, changed: false, customer: this.records.toView(row, sources, previous) };
      }

      this.records.writeMaster(row, next);
      row.updatedAt = now;
      // Under the row lock (or the advisory locks that admit one creator): the change's events
      // carry the new version, so consumers can order them without trusting clocks.
      const version = BigInt(row.version) + 1n;
      row.version = version.toString();
      if (addressChanged) {
        // The old pin is at the old address, and the old verdict was about it: pending until
        // geocoding places the new one. location_version stays, so an older verdict cannot return.
        row.latitude = null;
        row.longitude = null;
        row.locationPrecision = null;
        row.locationSource = null;
        Object.assign(row, noLocationVerdict());
      }
      await customers.save(row);
      if (sourceAdded) {
        const source = em
          .getRepository(CustomerSourceEntity)
          .create({ ...ref, customerId: row.id, createdAt: now });
        await em.getRepository(CustomerSourceEntity).insert(source);
        sources = [...sources, source];
      }

      const view = this.records.toView(row, sources, next);
      await this.outbox.append(em, {
        topic: eventTopic(Topic.CustomerUpserted),
        key: row.id,
        event: customerUpsertedEvent(row.id, next, view.sources, created, now, version),
        occurredAt: now,
      });
      if (addressChanged) {
        await this.outbox.append(em, {
          topic: eventTopic(Topic.AddressChanged),
          key: row.id,
          event: addressChangedEvent(row.id, next.address, previous?.address ?? null, now, version),
          occurredAt: now,
        });
      }
      return { created, changed: true, customer: view };
    });
  }
}

async function lock(em: EntityManager, key: string): Promise<void> {
  await em.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
}
