import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { calendarDate } from '../calendar-date';
import { ArStatus, ContactSchema, CustomerTier } from '../gen/duemap/customers/v1/customer_pb';
import { GeocodeFailureReason } from '../gen/duemap/geocoding/v1/geocode_failed_pb';
import { GeocodePrecision } from '../gen/duemap/geocoding/v1/geocode_pb';
import { AllocationRejectionReason } from '../gen/duemap/invoicing/v1/allocation_rejected_pb';
import { InvoiceField } from '../gen/duemap/invoicing/v1/invoice_changed_pb';
import { DocumentKind, InvoiceStatus } from '../gen/duemap/invoicing/v1/invoice_pb';
import { CancellationReason } from '../gen/duemap/notifications/v1/reminder_cancelled_pb';
import { ReminderChannel } from '../gen/duemap/notifications/v1/reminder_pb';
import { AllocationRule, PaymentMethod } from '../gen/duemap/payments/v1/payment_pb';
import { ReversalReason } from '../gen/duemap/payments/v1/payment_reversed_pb';
import { Topic, type EventInitOf, type TopicName } from '../topics';
import type { MessageInitShape } from '@bufbuild/protobuf';

// One realistic event per topic, for specs. The mapped type makes a topic without a sample
// a compile error, so round-trip specs cannot silently skip a new topic.

export const CUSTOMER_ID = '0b6f8f1e-3c1a-4f7e-9a51-2f4b7c9d1e02';
const occurredAt = timestampFromDate(new Date('2025-03-31T08:15:30.123Z'));
const cny = (amount: string) => ({ amount, currency: 'CNY' });
const address = {
  countryCode: 'CN',
  region: '广东省',
  city: '深圳市',
  district: '南山区',
  postalCode: '518057',
  streetLines: ['科技园南区 高新南七道 18 号'],
  singleLine: '广东省深圳市南山区科技园南区高新南七道18号',
};
const contact: MessageInitShape<typeof ContactSchema> = {
  name: '李娜',
  email: 'ap@example.cn',
  phone: '+8613800138000',
  role: 'accounts payable',
  locale: 'zh-CN',
};

export const SAMPLE_EVENTS: { readonly [T in TopicName]: EventInitOf<T> } = {
  [Topic.PaymentReceived]: {
    customerId: CUSTOMER_ID,
    occurredAt,
    paymentId: 'pay-1',
    amount: cny('1500.00'),
    allocations: [
      {
        invoiceId: 'inv-1',
        applied: cny('1000.00'),
        rule: AllocationRule.REFERENCE_MATCH,
        invoiceNumber: 'INV-1',
      },
      {
        invoiceId: 'inv-2',
        applied: cny('300.00'),
        rule: AllocationRule.OLDEST_DUE_FIRST,
        invoiceNumber: 'INV-2',
      },
    ],
    unapplied: cny('200.00'),
    method: PaymentMethod.BANK_TRANSFER,
    reference: 'INV-1',
    receivedAt: timestampFromDate(new Date('2025-03-30T16:00:00Z')),
    source: { sourceSystem: 'bank-icbc', externalId: 'stmt-2025-03-30/17' },
  },
  [Topic.PaymentReversed]: {
    customerId: CUSTOMER_ID,
    occurredAt,
    paymentId: 'pay-1',
    amount: cny('1500.00'),
    reversedAllocations: [{ invoiceId: 'inv-1', amount: cny('1000.00') }],
    reversedUnapplied: cny('500.00'),
    reason: ReversalReason.RETURNED,
    detail: 'AC04 closed account',
    source: { sourceSystem: 'bank-icbc', externalId: 'stmt-2025-04-01/3' },
  },
  [Topic.RefundIssued]: {
    customerId: CUSTOMER_ID,
    occurredAt,
    refundId: 'ref-1',
    amount: cny('200.00'),
    paymentId: 'pay-1',
    method: PaymentMethod.BANK_TRANSFER,
    reference: 'RF-1',
    source: { sourceSystem: 'api', externalId: 'req-9' },
  },
  [Topic.InvoiceIssued]: {
    customerId: CUSTOMER_ID,
    occurredAt,
    invoiceVersion: 1n,
    invoiceId: 'inv-1',
    number: 'INV-1',
    kind: DocumentKind.INVOICE,
    issueDate: calendarDate('2025-02-28'),
    dueDate: calendarDate('2025-03-30'),
    total: cny('1130.00'),
    openAmount: cny('1130.00'),
    status: InvoiceStatus.OPEN,
    lines: [
      {
        lineNumber: 1,
        description: '咨询服务',
        quantity: '1',
        unitPrice: cny('1000.00'),
        amount: cny('1130.00'),
        tax: cny('130.00'),
      },
    ],
    source: { sourceSystem: 'sap-ecc-cn', externalId: '1000/0090001234/2025' },
    customerSource: { sourceSystem: 'sap-ecc-cn', externalId: '0000100042' },
  },
  [Topic.InvoiceChanged]: {
    customerId: CUSTOMER_ID,
    occurredAt,
    invoiceVersion: 2n,
    invoiceId: 'inv-1',
    number: 'INV-1',
    kind: DocumentKind.INVOICE,
    issueDate: calendarDate('2025-02-28'),
    dueDate: calendarDate('2025-04-15'),
    total: cny('1130.00'),
    openAmount: cny('130.00'),
    status: InvoiceStatus.PARTIALLY_PAID,
    source: { sourceSystem: 'sap-ecc-cn', externalId: '1000/0090001234/2025' },
    changedFields: [InvoiceField.DUE_DATE, InvoiceField.OPEN_AMOUNT, InvoiceField.STATUS],
  },
  [Topic.InvoicePaid]: {
    customerId: CUSTOMER_ID,
    occurredAt,
    invoiceVersion: 3n,
    invoiceId: 'inv-1',
    number: 'INV-1',
    total: cny('1130.00'),
    dueDate: calendarDate('2024-02-29'),
    paymentIds: ['pay-1', 'pay-2'],
  },
  [Topic.InvoiceOverdue]: {
    customerId: CUSTOMER_ID,
    occurredAt,
    invoiceVersion: 2n,
    invoiceId: 'inv-1',
    number: 'INV-1',
    dueDate: calendarDate('2025-03-30'),
    overdueSince: calendarDate('2025-03-31'),
    timeZone: 'Asia/Shanghai',
    openAmount: cny('1130.00'),
    total: cny('1130.00'),
  },
  [Topic.InvoiceVoided]: {
    customerId: CUSTOMER_ID,
    occurredAt,
    invoiceVersion: 2n,
    invoiceId: 'inv-1',
    number: 'INV-1',
    total: cny('1130.00'),
    voidedOpenAmount: cny('1130.00'),
    reason: 'duplicate of INV-7',
    source: { sourceSystem: 'api', externalId: 'user-17' },
  },
  [Topic.AllocationRejected]: {
    customerId: CUSTOMER_ID,
    occurredAt,
    paymentId: 'pay-1',
    invoiceId: 'inv-2',
    requested: cny('300.00'),
    rejected: cny('100.00'),
    reason: AllocationRejectionReason.EXCEEDS_OPEN_AMOUNT,
    detail: 'open amount was 200.00',
  },
  [Topic.CustomerUpserted]: {
    customerId: CUSTOMER_ID,
    occurredAt,
    customerVersion: 1n,
    created: true,
    sources: [
      { sourceSystem: 'sap-ecc-cn', externalId: '0000100042' },
      { sourceSystem: 'kingdee', externalId: 'C-778' },
    ],
    name: '深圳示例科技有限公司',
    taxId: '91440300MA5EXAMPLE',
    tier: CustomerTier.VIP,
    address,
    timeZone: 'Asia/Shanghai',
    locale: 'zh-CN',
    contacts: [contact],
    salesTerritory: 'south-china',
    creditLimit: cny('50000.00'),
  },
  [Topic.AddressChanged]: {
    customerId: CUSTOMER_ID,
    occurredAt,
    customerVersion: 1n,
    address,
    previousAddress: { countryCode: 'CN', region: '广东省', city: '广州市' },
  },
  [Topic.BalanceChanged]: {
    customerId: CUSTOMER_ID,
    occurredAt,
    customerVersion: 4n,
    balances: [
      {
        currency: 'CNY',
        outstanding: cny('930.00'),
        overdue: cny('1130.00'),
        unappliedCredit: cny('200.00'),
      },
      {
        currency: 'USD',
        outstanding: { amount: '-12.50', currency: 'USD' },
        overdue: { amount: '0', currency: 'USD' },
        unappliedCredit: { amount: '12.50', currency: 'USD' },
      },
    ],
  },
  [Topic.StatusChanged]: {
    customerId: CUSTOMER_ID,
    occurredAt,
    customerVersion: 4n,
    status: ArStatus.OVERDUE,
    previousStatus: ArStatus.UNPAID,
  },
  [Topic.CreditRatingChanged]: {
    customerId: CUSTOMER_ID,
    occurredAt,
    customerVersion: 5n,
    rating: 'B',
    previousRating: 'A',
    creditLimit: cny('30000.00'),
    previousCreditLimit: cny('50000.00'),
    reason: 'three invoices paid more than 30 days late',
  },
  [Topic.CustomerGeocoded]: {
    customerId: CUSTOMER_ID,
    occurredAt,
    geocodeVersion: 1n,
    latitude: 22.5431,
    longitude: 113.9469,
    precision: GeocodePrecision.DISTRICT,
    source: 'china-districts',
    normalizedAddress: { countryCode: 'CN', region: '广东省', city: '深圳市', district: '南山区' },
  },
  [Topic.GeocodeFailed]: {
    customerId: CUSTOMER_ID,
    occurredAt,
    geocodeVersion: 1n,
    reason: GeocodeFailureReason.INCOMPLETE_ADDRESS,
    detail: 'no country and no city',
    address: { singleLine: '高新南七道18号' },
    willRetry: false,
  },
  [Topic.ReminderScheduled]: {
    customerId: CUSTOMER_ID,
    occurredAt,
    reminderId: 'rem-1',
    invoiceId: 'inv-1',
    level: 1,
    daysFromDue: -3,
    scheduledFor: timestampFromDate(new Date('2025-03-27T01:00:00Z')),
    channel: ReminderChannel.EMAIL,
    policyId: 'vip-gentle',
  },
  [Topic.ReminderSent]: {
    customerId: CUSTOMER_ID,
    occurredAt,
    reminderId: 'rem-1',
    invoiceId: 'inv-1',
    level: 1,
    channel: ReminderChannel.EMAIL,
    channelMessageId: '<rem-1@duemap.local>',
  },
  [Topic.ReminderCancelled]: {
    customerId: CUSTOMER_ID,
    occurredAt,
    reminderId: 'rem-2',
    invoiceId: 'inv-1',
    reason: CancellationReason.INVOICE_PAID,
    detail: 'paid by pay-1 before the reminder time',
  },
};
