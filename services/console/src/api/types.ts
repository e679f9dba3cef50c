/** The shapes of the API the console reads (see /api/docs for the whole contract). */
export type PinStatus = 'paid' | 'unpaid' | 'overdue';
export const PIN_STATUSES: readonly PinStatus[] = ['paid', 'unpaid', 'overdue'];
export type Tier = 'standard' | 'vip';

export interface Money {
  amount: string;
  currency: string;
}

export interface Me {
  subject: string;
  kind: string;
  roles: string[];
  permissions: string[];
  territory: {
    countries: string[];
    provinces: string[];
    salesTerritories: string[];
    customerIds: string[];
  } | null;
}

export interface PinProperties {
  customerId: string;
  name: string;
  status: PinStatus;
  color: string;
  tier: Tier;
  creditGrade: string | null;
  daysOverdue: number;
  outstanding: Money | null;
  overdue: Money | null;
  balances: { outstanding: Money; overdue: Money }[];
  precision: string;
  source: string;
  cluster?: undefined;
}

export interface ClusterProperties {
  cluster: true;
  clusterId: number;
  point_count: number;
  point_count_abbreviated: string | number;
  counts: Record<PinStatus, number>;
  status: PinStatus;
  color: string;
  outstanding: Money[];
  overdue: Money[];
}

export interface MapFeature<P = PinProperties | ClusterProperties> {
  type: 'Feature';
  geometry: { type: 'Point'; coordinates: [number, number] };
  properties: P;
}

export interface MapCustomers {
  type: 'FeatureCollection';
  features: MapFeature[];
}

export interface UnlocatedCustomer {
  customerId: string;
  name: string;
  reason: string;
  countryCode: string | null;
  region: string | null;
  city: string | null;
}

export interface UnlocatedPage {
  items: UnlocatedCustomer[];
  nextCursor: string | null;
}

export interface Customer {
  id: string;
  name: string;
  tier: Tier;
  status: PinStatus;
  currency: string;
  creditRating: string | null;
  creditLimit: Money | null;
  balances: { currency: string; outstanding: Money; overdue: Money; unappliedCredit: Money }[];
  address: { country: string; province: string | null; city: string | null; district: string | null } | null;
}

export interface Invoice {
  id: string;
  number: string;
  issueDate: string;
  dueDate: string;
  total: Money;
  openAmount: Money;
  status: 'open' | 'partially_paid' | 'paid' | 'overdue' | 'void';
}

export interface InvoicePage {
  items: Invoice[];
}

/** Sent by GET /api/v1/map/live for each pin whose status changed. */
export interface PinChange {
  customerId: string;
  status: PinStatus;
  color: string;
  lat: number | null;
  lng: number | null;
  version: string;
}

/** /console-config.json, from the gateway's environment. */
export interface ConsoleConfig {
  tileUrl: string | null;
  tileAttribution: string | null;
}

export interface Boundaries {
  type: 'FeatureCollection';
  features: unknown[];
}

/** GET /api/v1/map/list: located customers, never clustered, paged. */
export interface MapListItem extends PinProperties {
  lat: number;
  lng: number;
  countryCode: string | null;
  regionCode: string | null;
  region: string | null;
  city: string | null;
  /** sort=priority: days overdue × overdue minor units in the ranking currency. */
  priority: string | null;
}

export interface MapList {
  items: MapListItem[];
  nextCursor: string | null;
}

/** GET /api/v1/map/regions */
export interface RegionRollup {
  key: string;
  countryCode: string;
  regionCode: string | null;
  city: string | null;
  name: string;
  count: number;
  counts: Record<PinStatus, number>;
  outstanding: Money[];
  overdue: Money[];
}

export interface RegionRollups {
  level: 'country' | 'province' | 'city' | 'district';
  regions: RegionRollup[];
  unlocated: number;
}

/** POST /api/v1/map/routes */
export interface RouteStop {
  sequence: number;
  customerId: string;
  name: string;
  status: PinStatus;
  lat: number;
  lng: number;
  legKm: number;
  cumulativeKm: number;
  expected: Money[];
  outstanding: Money[];
}

export interface PlannedRoute {
  start: { lat: number; lng: number };
  end: { lat: number; lng: number } | null;
  stops: RouteStop[];
  finishKm: number;
  totalKm: number;
  totalExpected: Money[];
  unlocated: { customerId: string; name: string; reason: string }[];
}

/** Payments (GET /api/v1/payments, services/payments' payment.view.ts). */
export const PAYMENT_STATUSES = [
  'needs_review',
  'received',
  'partially_applied',
  'applied',
  'reversed',
  'refunded',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const REVERSAL_REASONS = [
  'returned',
  'insufficient_funds',
  'duplicate',
  'entered_in_error',
  'chargeback',
  'other',
] as const;
export type ReversalReason = (typeof REVERSAL_REASONS)[number];

export const PAYMENT_METHODS = ['bank_transfer', 'card', 'cheque', 'cash', 'e_wallet'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export interface PaymentAllocation {
  invoiceId: string;
  invoiceNumber: string;
  applied: Money;
  rule: string;
  confidence?: number;
  evidence?: string[];
  rejected?: Money;
  rejectionReason?: string;
  reversed?: true;
}

export interface PaymentSuggestion {
  customerId: string | null;
  customerRule: string | null;
  allocations: {
    invoiceId: string;
    invoiceNumber: string;
    amount: Money;
    rule: string;
    confidence: number;
    evidence: string[];
  }[];
}

export interface Payment {
  id: string;
  customerId: string | null;
  amount: Money;
  receivedAt: string;
  method: PaymentMethod;
  reference: string;
  source: 'api' | 'bank_statement' | 'bank_topic';
  allocations: PaymentAllocation[];
  unapplied: Money;
  refunded: Money;
  status: PaymentStatus;
  payer?: { name: string | null; account: string | null };
  bank?: {
    endToEndId: string | null;
    transactionId: string | null;
    statementId: string | null;
    lineNo: number | null;
  };
  confidence?: number;
  review?: { reasons: string[]; suggestion: PaymentSuggestion | null; evidence: string[] };
  reviewedBy?: string;
  reviewedAt?: string;
  reversal?: { at: string; reason: string; detail: string; by: string };
}

export interface PaymentPage {
  items: Payment[];
  nextCursor: string | null;
}

/** POST /api/v1/bank-statements */
export interface StatementImport {
  id: string;
  format: string;
  layout: string | null;
  statements: number;
  accounts: string[];
  lines: number;
  credits: number;
  debits: number;
  candidates: number;
  duplicates: number;
  notCandidates: number;
  sizeBytes: number;
}

export interface CustomerPage {
  items: Customer[];
  nextCursor: string | null;
}
