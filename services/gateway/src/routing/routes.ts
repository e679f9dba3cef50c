import type { GatewayConfig } from '../config';

export type ServiceName = 'customers' | 'geocoding' | 'invoicing' | 'payments' | 'notifications';
/** Resources the gateway serves itself (its Nest controllers), after the same admission. */
export type Owner = ServiceName | 'gateway';

/** `/api/v1/<resource>/...` -> the service that owns the resource. The one routing table. */
export const RESOURCE_OWNERS: Readonly<Record<string, Owner>> = {
  customers: 'customers',
  invoices: 'invoicing',
  reports: 'invoicing',
  payments: 'payments',
  'bank-statements': 'payments',
  map: 'geocoding',
  reminders: 'notifications',
  deliveries: 'notifications',
  subscriptions: 'notifications',
  me: 'gateway',
  audit: 'gateway',
  'api-keys': 'gateway',
};

export function serviceUrls(config: GatewayConfig): Record<ServiceName, string> {
  return {
    customers: config.CUSTOMERS_URL,
    geocoding: config.GEOCODING_URL,
    invoicing: config.INVOICING_URL,
    payments: config.PAYMENTS_URL,
    notifications: config.NOTIFICATIONS_URL,
  };
}

/** The owner of an API path, or undefined for a resource nobody serves. */
export function ownerOf(path: string): Owner | undefined {
  const match = /^\/api\/v1\/([a-z-]+)(?:[/?]|$)/.exec(path);
  return match?.[1] ? RESOURCE_OWNERS[match[1]] : undefined;
}
