import { Injectable, Logger } from '@nestjs/common';
import { ServiceCaller } from '@duemap/auth';
import { InjectConfig } from '@duemap/config';
import type { InvoicingConfig } from '../config';
import { InvoicingErrorCode, InvoicingException } from '../common/invoicing.exception';
import type { SourceRef } from '../invoices/invoice.model';

/** A customer as the customers service's public API shows it (the fields invoicing reads). */
export interface RemoteCustomer {
  id: string;
  timeZone: string;
  sources: SourceRef[];
}

/**
 * The customers service's public HTTP API, asked when the read model has not seen a customer yet
 * (it was created a moment ago and its customer-upserted event is still on its way).
 * 404 means unknown; anything else that is not a customer makes the request answer 503.
 */
@Injectable()
export class CustomersClient {
  private readonly logger = new Logger(CustomersClient.name);
  private readonly caller: ServiceCaller;

  constructor(@InjectConfig() private readonly config: InvoicingConfig) {
    this.caller = new ServiceCaller(config.IDENTITY_SECRET, config.SERVICE_NAME);
  }

  getById(id: string): Promise<RemoteCustomer | null> {
    return this.get(`/api/v1/customers/${encodeURIComponent(id)}`);
  }

  getBySource(source: SourceRef): Promise<RemoteCustomer | null> {
    return this.get(
      `/api/v1/customers/by-source/${encodeURIComponent(source.sourceSystem)}/${encodeURIComponent(source.externalId)}`,
    );
  }

  private async get(path: string): Promise<RemoteCustomer | null> {
    const url = new URL(path, this.config.CUSTOMERS_URL).toString();
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { ...(await this.caller.headers()), accept: 'application/json' },
        signal: AbortSignal.timeout(this.config.CUSTOMERS_TIMEOUT),
      });
    } catch (err) {
      this.logger.warn(`GET ${url} failed: ${err instanceof Error ? err.message : String(err)}`);
      throw this.unavailable();
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) {
      await response.body?.cancel();
      this.logger.warn(`GET ${url} answered ${response.status}`);
      throw this.unavailable();
    }
    const customer = parseCustomer(await response.json().catch(() => undefined));
    if (customer === undefined) {
      this.logger.warn(`GET ${url} answered something that is not a customer`);
      throw this.unavailable();
    }
    return customer;
  }

  private unavailable(): InvoicingException {
    return new InvoicingException(
      InvoicingErrorCode.CustomersUnavailable,
      'the customers service could not be asked about the customer; try again later',
    );
  }
}

function parseCustomer(body: unknown): RemoteCustomer | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { id, timeZone, sources } = body as Record<string, unknown>;
  if (typeof id !== 'string' || id === '') return undefined;
  const refs = Array.isArray(sources)
    ? sources.flatMap((s: unknown) => {
        if (typeof s !== 'object' || s === null) return [];
        const { sourceSystem, externalId } = s as Record<string, unknown>;
        return typeof sourceSystem === 'string' && typeof externalId === 'string'
          ? [{ sourceSystem, externalId }]
          : [];
      })
    : [];
  return { id, timeZone: typeof timeZone === 'string' ? timeZone : '', sources: refs };
}
