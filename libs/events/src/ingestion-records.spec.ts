import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import {
  bankPaymentsSchema,
  erpInvoicesSchema,
  type BankPaymentRecord,
  type ErpInvoiceRecord,
} from './ingestion-records';
import { IngestionTopic } from './topics';

type JsonSchema = {
  $id?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  examples?: unknown[];
};

/** Every property schema in the tree, by its JSON pointer under the record. */
function fieldsOf(schema: JsonSchema, at = ''): [string, JsonSchema][] {
  const own = Object.entries(schema.properties ?? {}).flatMap(([name, field]) => [
    [`${at}/${name}`, field] as [string, JsonSchema],
    ...fieldsOf(field, `${at}/${name}`),
  ]);
  const items = schema.items ? [[`${at}/*`, schema.items] as [string, JsonSchema]] : [];
  return [...own, ...items];
}

describe('the published bank.payments.v1 JSON Schema', () => {
  const schema = bankPaymentsSchema as JsonSchema;
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile<BankPaymentRecord>(bankPaymentsSchema);

  it('is named by its topic and describes every field', () => {
    expect(schema.$id).toMatch(
      new RegExp(`/${IngestionTopic.BankPayments.replace(/\./g, '\\.')}\\.schema\\.json$`),
    );
    const fields = fieldsOf(schema);
    expect(fields.length).toBeGreaterThan(20);
    expect(fields.filter(([, field]) => !field.description?.trim()).map(([path]) => path)).toEqual([]);
  });

  it('accepts its own examples, of the record and of every field', () => {
    expect(schema.examples?.length).toBeGreaterThanOrEqual(2);
    for (const example of schema.examples ?? []) {
      expect({ example, valid: validate(example), errors: validate.errors ?? null }).toMatchObject({
        valid: true,
      });
    }
    for (const [path, field] of fieldsOf(schema)) {
      const check = ajv.compile(field);
      for (const example of field.examples ?? []) {
        expect({ path, example, valid: check(example) }).toMatchObject({ valid: true });
      }
    }
  });

  it('refuses a record the consumer could not recognise again or book', () => {
    const record: BankPaymentRecord = {
      bankTransactionId: 'BTX-1',
      account: { iban: 'DE89370400440532013000' },
      bookingDate: '2026-01-10',
      amount: { amount: '10.00', currency: 'EUR' },
    };
    expect(validate(record)).toBe(true);
    const { bankTransactionId: _id, ...noId } = record;
    expect(validate(noId)).toBe(false);
    expect(validate({ ...record, account: { currency: 'EUR' } })).toBe(false);
    expect(validate({ ...record, amount: { amount: '-10.00', currency: 'EUR' } })).toBe(false);
    expect(validate({ ...record, amount: { amount: 10, currency: 'EUR' } })).toBe(false);
    expect(validate({ ...record, amount: { amount: '1e3', currency: 'EUR' } })).toBe(false);
    expect(validate({ ...record, amount: { amount: '10.00', currency: 'eur' } })).toBe(false);
    expect(validate({ ...record, bookingDate: '10.01.2026' })).toBe(false);
    expect(validate({ ...record, unknownField: true })).toBe(false);
  });
});

describe('the published erp.invoices.v1 JSON Schema', () => {
  const schema = erpInvoicesSchema as JsonSchema;
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile<ErpInvoiceRecord>(erpInvoicesSchema);

  it('is named by its topic and describes every field', () => {
    expect(schema.$id).toMatch(/\/erp\.invoices\.v1\.schema\.json$/);
    expect(IngestionTopic.ErpInvoices).toBe('erp.invoices.v1');
    const fields = fieldsOf(schema);
    expect(fields.length).toBeGreaterThan(15);
    expect(fields.filter(([, field]) => !field.description?.trim()).map(([path]) => path)).toEqual([]);
    expect(fields.filter(([, field]) => (field.examples ?? []).length === 0).map(([path]) => path)).toEqual(
      [],
    );
  });

  it('accepts its own examples, of the record and of every field', () => {
    expect(schema.examples?.length).toBeGreaterThanOrEqual(2);
    for (const example of schema.examples ?? []) {
      expect({ example, valid: validate(example), errors: validate.errors ?? null }).toMatchObject({
        valid: true,
      });
    }
    for (const [path, field] of fieldsOf(schema)) {
      const check = ajv.compile(field);
      for (const example of field.examples ?? []) {
        expect({ path, example, valid: check(example) }).toMatchObject({ valid: true });
      }
    }
  });

  it('refuses a record it could not identify, order or book', () => {
    const record: ErpInvoiceRecord = {
      sourceSystem: 'sap',
      externalId: 'INV-1',
      sourceVersion: 1,
      customer: { sourceSystem: 'sap', externalId: 'C-1' },
      number: 'INV-1',
      issueDate: '2026-01-05',
      dueDate: '2026-02-04',
      total: { amount: '100.00', currency: 'CNY' },
    };
    expect(validate(record)).toBe(true);
    const { sourceVersion: _v, ...noVersion } = record;
    expect(validate(noVersion)).toBe(false);
    expect(validate({ ...record, sourceVersion: 1.5 })).toBe(false);
    expect(validate({ ...record, sourceVersion: '2026-01-05T00:00:00Z' })).toBe(false);
    expect(validate({ ...record, customer: {} })).toBe(false);
    expect(
      validate({
        ...record,
        customer: { id: '0b6f8f1e-3c1a-4f7e-9a51-2f4b7c9d1e02', sourceSystem: 'x', externalId: 'y' },
      }),
    ).toBe(false);
    expect(validate({ ...record, total: { amount: 100, currency: 'CNY' } })).toBe(false);
    expect(validate({ ...record, dueDate: '04.02.2026' })).toBe(false);
    expect(validate({ ...record, kind: 'debit_note' })).toBe(false);
    expect(validate({ ...record, unknownField: true })).toBe(false);
  });
});
