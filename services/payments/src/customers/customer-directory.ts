import { Injectable } from '@nestjs/common';
import { ServiceCaller } from '@duemap/auth';
import { InjectConfig } from '@duemap/config';
import type { EntityManager } from 'typeorm';
import { PaymentsErrorCode, PaymentsException } from '../common/payments.exception';
import { fetchFromService, joinUrl } from '../common/service-client';
import type { PaymentsConfig } from '../config';
import { CustomerViewRepository, type CustomerSnapshot } from './customer-view.repository';

export interface ResolvedCustomer {
  snapshot: CustomerSnapshot;
  /** True when the read model missed and the customers service answered: store it with the payment. */
  fetched: boolean;
}

/** Parses the customers service's `GET /api/v1/customers/{id}` answer; only the id matters here. */
export function parseCustomerJson(body: unknown, expectedId: string): CustomerSnapshot {
  if (typeof body !== 'object' || body === null) throw new Error('not an object');
  const { id, name } = body as { id?: unknown; name?: unknown };
  if (id !== expectedId)
    throw new Error(`id is ${JSON.stringify(id)}, expected ${JSON.stringify(expectedId)}`);
  return { customerId: expectedId, name: typeof name === 'string' ? name : '' };
}

/**
 * Finds a customer in the read model, and on a miss asks the customers service: a customer created
 * a millisecond ago may not have reached us as an event yet, and that is no reason to answer 404.
 */
@Injectable()
export class CustomerDirectory {
  private readonly caller: ServiceCaller;

  constructor(
    private readonly customers: CustomerViewRepository,
    @InjectConfig() private readonly config: PaymentsConfig,
  ) {
    this.caller = new ServiceCaller(config.IDENTITY_SECRET, config.SERVICE_NAME);
  }

  async resolve(em: EntityManager, customerId: string, field = 'customerId'): Promise<ResolvedCustomer> {
    const known = await this.customers.find(em, customerId);
    if (known) return { snapshot: { customerId, name: known.name }, fetched: false };
    const url = joinUrl(this.config.CUSTOMERS_URL, `/api/v1/customers/${encodeURIComponent(customerId)}`);
    const answer = await fetchFromService(
      'customers',
      url,
      this.config.DEPENDENCY_TIMEOUT,
      (body) => parseCustomerJson(body, customerId),
      await this.caller.headers(),
    );
    if (!answer.found) {
      throw PaymentsException.forField(
        PaymentsErrorCode.CustomerNotFound,
        field,
        `customer ${customerId} does not exist`,
      );
    }
    return { snapshot: answer.value, fetched: true };
  }
}
