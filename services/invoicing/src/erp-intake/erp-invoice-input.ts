import type { ErpInvoiceRecord } from '@duemap/events';
import type { MoneyJson } from '@duemap/money';
import type { UpsertInvoiceInput } from '../invoices/usecases/upsert-invoice.usecase';

/**
 * An erp.invoices.v1 record (schema-valid) as the upsert use case's input. Amounts of lines are
 * bare decimal strings on the topic (the invoice has one currency), so they take total.currency.
 * Credit notes pass the schema but cannot be booked yet: `kind` is returned for the caller to refuse.
 */
export function upsertInputOf(record: ErpInvoiceRecord): UpsertInvoiceInput {
  const currency = record.total.currency;
  const money = (amount: string): MoneyJson => ({ amount, currency });
  return {
    source: { sourceSystem: record.sourceSystem, externalId: record.externalId },
    ...('id' in record.customer
      ? { customerId: record.customer.id }
      : { customer: { sourceSystem: record.customer.sourceSystem, externalId: record.customer.externalId } }),
    number: record.number,
    issueDate: record.issueDate,
    dueDate: record.dueDate,
    total: { amount: record.total.amount, currency },
    ...(record.lines === undefined
      ? {}
      : {
          lines: record.lines.map((line) => ({
            description: line.description,
            ...(line.quantity === undefined ? {} : { quantity: line.quantity }),
            ...(line.unitPrice === undefined ? {} : { unitPrice: money(line.unitPrice) }),
            amount: money(line.amount),
            ...(line.tax === undefined ? {} : { tax: money(line.tax) }),
          })),
        }),
    sourceVersion: BigInt(record.sourceVersion),
  };
}

/**
 * The use case names fields as the REST body does (`lines[0].amount.currency`, `customerId`);
 * a record's fields are JSON pointers into the record (`/lines/0/amount`, `/customer/id`).
 */
export function recordPointerOf(field: string): string {
  if (field === '') return '/';
  if (field === 'customerId') return '/customer/id';
  const pointer = `/${field
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .join('/')}`;
  // Line amounts are bare strings on the topic: their .amount / .currency is the line field itself.
  return pointer.replace(/^(\/lines\/\d+\/(?:amount|unitPrice|tax))\/(?:amount|currency)$/, '$1');
}
