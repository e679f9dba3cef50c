/**
 * The permission matrix: which role may do what, and which permission every operation of the
 * public API needs. The one file the gateway, every service and the docs read
 * (docs/security.md renders it; `permissions.spec.ts` checks the docs are up to date). An operation
 * of the merged OpenAPI document that is missing here is refused by the gateway and the services,
 * and fails the access test (e2e/access-control.e2e-spec.ts).
 */

export const ROLES = ['admin', 'finance', 'collector', 'viewer', 'integration'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'customers:read',
  'customers:write',
  'invoices:read',
  'invoices:write',
  'invoices:void',
  'payments:read',
  'payments:write',
  /** Decide payments waiting in the cash application worklist (any customer's, so not territorial). */
  'payments:review',
  /** Reverse a payment (bounced, returned, chargeback): reopens invoices. */
  'payments:reverse',
  /** Pay a customer's credit back. */
  'payments:refund',
  /** Whole bank statements of the company's accounts: not a collector's, whose cash is territorial. */
  'bank-statements:import',
  'map:read',
  'reminders:read',
  /** Unmasked tax ids, contacts, street lines; without it those fields come back masked. */
  'personal-data:read',
  'audit:read',
  'api-keys:manage',
  /** Webhook subscriptions of outside systems: every customer's events, so not territorial. */
  'subscriptions:manage',
  /** Who am I: every signed-in caller. */
  'self:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: PERMISSIONS,
  finance: [
    'customers:read',
    'customers:write',
    'invoices:read',
    'invoices:write',
    'invoices:void',
    'payments:read',
    'payments:write',
    'payments:review',
    'payments:reverse',
    'payments:refund',
    'bank-statements:import',
    'map:read',
    'reminders:read',
    'personal-data:read',
    'self:read',
  ],
  // Only inside their territories (identity.ts): every read, and the cash they collect.
  collector: [
    'customers:read',
    'invoices:read',
    'payments:read',
    'payments:write',
    'map:read',
    'reminders:read',
    'personal-data:read',
    'self:read',
  ],
  viewer: ['customers:read', 'invoices:read', 'payments:read', 'map:read', 'reminders:read', 'self:read'],
  // ERP connectors and bank feeds: write what their source owns, and look records up by source key.
  integration: [
    'customers:read',
    'customers:write',
    'invoices:read',
    'invoices:write',
    'payments:read',
    'payments:write',
    // A bank feed reports returned transfers and chargebacks.
    'payments:reverse',
    'bank-statements:import',
    'subscriptions:manage',
    'self:read',
  ],
};

/**
 * `METHOD /api/v1/path/{param}` of every operation, as the merged OpenAPI document names it, to
 * the permission it needs.
 */
export const OPERATION_PERMISSIONS: Readonly<Record<string, Permission>> = {
  'PUT /api/v1/customers/{sourceSystem}/{externalId}': 'customers:write',
  'GET /api/v1/customers/by-source/{sourceSystem}/{externalId}': 'customers:read',
  'GET /api/v1/customers/{id}': 'customers:read',
  'GET /api/v1/customers': 'customers:read',
  'PUT /api/v1/invoices/{sourceSystem}/{externalId}': 'invoices:write',
  'GET /api/v1/invoices': 'invoices:read',
  'GET /api/v1/invoices/{id}': 'invoices:read',
  'POST /api/v1/invoices/{id}/void': 'invoices:void',
  'POST /api/v1/payments': 'payments:write',
  'GET /api/v1/payments/{id}': 'payments:read',
  // Payments with filters; status=needs_review is the cash application worklist.
  'GET /api/v1/payments': 'payments:read',
  'POST /api/v1/payments/{id}/apply': 'payments:review',
  'POST /api/v1/payments/{id}/reverse': 'payments:reverse',
  'POST /api/v1/payments/{id}/refunds': 'payments:refund',
  'POST /api/v1/bank-statements': 'bank-statements:import',
  'GET /api/v1/bank-statements/{id}': 'payments:read',
  'GET /api/v1/map/customers': 'map:read',
  'GET /api/v1/map/regions': 'map:read',
  'GET /api/v1/map/unlocated': 'map:read',
  // The same pins as GET /map/customers, listed instead of clustered (side list, worklist).
  'GET /api/v1/map/list': 'map:read',
  // Plans visits over the same pins and amounts the map shows, and writes nothing: reading the map.
  'POST /api/v1/map/routes': 'map:read',
  'GET /api/v1/map/boundaries': 'map:read',
  // Server-sent pin changes: the same pins the map shows, pushed instead of asked for.
  'GET /api/v1/map/live': 'map:read',
  'GET /api/v1/reminders': 'reminders:read',
  // The reminders' delivery log: what happened to the reminders one may already read.
  'GET /api/v1/deliveries': 'reminders:read',
  'POST /api/v1/subscriptions': 'subscriptions:manage',
  'GET /api/v1/subscriptions': 'subscriptions:manage',
  'GET /api/v1/subscriptions/{id}': 'subscriptions:manage',
  'DELETE /api/v1/subscriptions/{id}': 'subscriptions:manage',
  'GET /api/v1/subscriptions/{id}/dead-letters': 'subscriptions:manage',
  'POST /api/v1/subscriptions/{id}/redeliver': 'subscriptions:manage',
  // Served by the gateway itself.
  'GET /api/v1/me': 'self:read',
  'GET /api/v1/audit': 'audit:read',
  'GET /api/v1/api-keys': 'api-keys:manage',
  'POST /api/v1/api-keys': 'api-keys:manage',
  'POST /api/v1/api-keys/{id}/rotate': 'api-keys:manage',
  'DELETE /api/v1/api-keys/{id}': 'api-keys:manage',
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && (PERMISSIONS as readonly string[]).includes(value);
}

export function permissionsOfRoles(roles: readonly Role[]): Set<Permission> {
  const granted = new Set<Permission>();
  for (const role of roles) for (const permission of ROLE_PERMISSIONS[role]) granted.add(permission);
  return granted;
}
