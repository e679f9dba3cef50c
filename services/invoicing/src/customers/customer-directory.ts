import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { InvoicingErrorCode, InvoicingException } from '../common/invoicing.exception';
import { canonicalTimeZone, DEFAULT_TIME_ZONE } from '../invoices/due-date';
import { isUuid, type SourceRef } from '../invoices/invoice.model';
import { CustomerRepository } from './customer.repository';
import { CustomersClient, type RemoteCustomer } from './customers.client';

/** How an invoice names its customer: by Duemap id, or by the customer's record in the source ERP. */
export type CustomerReference = { customerId: string } | { source: SourceRef };

export interface ResolvedCustomer {
  id: string;
  timeZone: string;
  /** Set when the read model missed and the customers API answered: remember it with the write. */
  fetched?: RemoteCustomer;
}

/** A time zone this runtime cannot use falls back to UTC rather than blocking the customer's invoices. */
export function usableTimeZone(timeZone: string, logger?: Logger): string {
  const canonical = canonicalTimeZone(timeZone);
  if (canonical === undefined) {
    logger?.warn(`unknown time zone "${timeZone}", using ${DEFAULT_TIME_ZONE}`);
    return DEFAULT_TIME_ZONE;
  }
  return canonical;
}

/**
 * Finds the customer an invoice names: the read model first, then the customers service's API
 * (the read model lags HTTP writes by an event). Unknown to both -> 404 CUSTOMER_NOT_FOUND
 * naming the request field.
 */
@Injectable()
export class CustomerDirectory {
  private readonly logger = new Logger(CustomerDirectory.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly customers: CustomerRepository,
    private readonly client: CustomersClient,
  ) {}

  async resolve(reference: CustomerReference): Promise<ResolvedCustomer> {
    const em = this.dataSource.manager;
    if ('customerId' in reference) {
      const id = reference.customerId.toLowerCase();
      const known = await this.customers.findById(em, id);
      if (known !== null) return { id: known.id, timeZone: known.timeZone };
      const remote = isUuid(id) ? await this.client.getById(id) : null;
      if (remote === null || remote.id.toLowerCase() !== id) {
        throw InvoicingException.forField(
          InvoicingErrorCode.CustomerNotFound,
          'customerId',
          `no customer ${reference.customerId}`,
        );
      }
      return this.fromRemote(remote);
    }
    const known = await this.customers.findBySource(em, reference.source);
    if (known !== null) return { id: known.id, timeZone: known.timeZone };
    const remote = await this.client.getBySource(reference.source);
    if (remote === null || !isUuid(remote.id)) {
      throw InvoicingException.forField(
        InvoicingErrorCode.CustomerNotFound,
        'customer',
        `no customer with source ${reference.source.sourceSystem}/${reference.source.externalId}`,
      );
    }
    return this.fromRemote(remote);
  }

  /**
   * Resolves many references at once: the read model in one statement, the customers API only for
   * what it lacks. A reference nobody knows maps to its CUSTOMER_NOT_FOUND error, so one unknown
   * customer fails its own invoices and not the batch; the API being down still throws.
   */
  async resolveMany(
    references: readonly CustomerReference[],
  ): Promise<Map<string, ResolvedCustomer | InvoicingException>> {
    const ids = references.flatMap((r) => ('customerId' in r ? [r.customerId] : []));
    const sources = references.flatMap((r) => ('source' in r ? [r.source] : []));
    const found = await this.customers.findMany(this.dataSource.manager, ids, sources);
    const resolved = new Map<string, ResolvedCustomer | InvoicingException>();
    for (const reference of references) {
      const key = referenceKey(reference);
      if (resolved.has(key)) continue;
      const known =
        'customerId' in reference
          ? found.byId.get(reference.customerId.toLowerCase())
          : found.bySource.get(key.slice(2));
      if (known !== undefined) {
        resolved.set(key, { id: known.id, timeZone: known.timeZone });
        continue;
      }
      try {
        resolved.set(key, await this.resolve(reference));
      } catch (err) {
        if (!(err instanceof InvoicingException) || err.code !== InvoicingErrorCode.CustomerNotFound)
          throw err;
        resolved.set(key, err);
      }
    }
    return resolved;
  }

  /** Stores what the customers API told us, in the caller's transaction (so a rejected request stores nothing). */
  async remember(em: EntityManager, resolved: ResolvedCustomer): Promise<void> {
    if (resolved.fetched === undefined) return;
    await this.customers.save(em, {
      id: resolved.id,
      timeZone: resolved.timeZone,
      lastEventAt: null,
      lastEventVersion: 0n,
    });
    await this.customers.saveSources(em, resolved.id, resolved.fetched.sources, false);
  }

  private fromRemote(remote: RemoteCustomer): ResolvedCustomer {
    return {
      id: remote.id.toLowerCase(),
      timeZone: usableTimeZone(remote.timeZone, this.logger),
      fetched: remote,
    };
  }
}

/** A reference as a map key: `i:<id>` or `s:<system>\u0000<external id>`. */
export function referenceKey(reference: CustomerReference): string {
  return 'customerId' in reference
    ? `i:${reference.customerId.toLowerCase()}`
    : `s:${reference.source.sourceSystem}\u0000${reference.source.externalId}`;
}
