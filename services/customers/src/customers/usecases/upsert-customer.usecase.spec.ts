import { randomBytes } from 'node:crypto';
import { Topic } from '@duemap/events';
import type { OutboxWriter } from '@duemap/messaging';
import type { DataSource, EntityManager } from 'typeorm';
import { PiiCipher } from '../../pii/pii-cipher';
import { CustomerEntity, CustomerSourceEntity } from '../customer.entity';
import { CustomerRecords } from '../customer-record';
import { CustomersException } from '../customers.exception';
import { parseSourceRef, UpsertCustomerUseCase } from './upsert-customer.usecase';

type Where = Record<string, unknown>;
const matches = (row: object, where: Where) =>
  Object.entries(where).every(([k, v]) => (row as Record<string, unknown>)[k] === v);

/** Just enough of TypeORM's EntityManager over two in-memory tables. */
function fakeStore() {
  const customers: CustomerEntity[] = [];
  const sources: CustomerSourceEntity[] = [];
  const locks: string[] = [];
  const repo = <T extends object>(rows: T[], make: () => T) => ({
    findOneBy: (where: Where) => Promise.resolve(rows.find((r) => matches(r, where)) ?? null),
    findOne: ({ where }: { where: Where }) => Promise.resolve(rows.find((r) => matches(r, where)) ?? null),
    findBy: (where: Where) => Promise.resolve(rows.filter((r) => matches(r, where))),
    create: (init: Partial<T>) => Object.assign(make(), init),
    save: (row: T) => {
      if (!rows.includes(row)) rows.push(row);
      return Promise.resolve(row);
    },
    insert: (row: T) => {
      rows.push(row);
      return Promise.resolve();
    },
  });
  const em = {
    query: (_sql: string, params: string[]) => {
      locks.push(params[0] ?? '');
      return Promise.resolve([]);
    },
    getRepository: (entity: unknown) =>
      entity === CustomerEntity
        ? repo(customers, () => new CustomerEntity())
        : repo(sources, () => new CustomerSourceEntity()),
  } as unknown as EntityManager;
  const dataSource = {
    transaction: <T>(work: (em: EntityManager) => Promise<T>) => work(em),
  } as unknown as DataSource;
  return { customers, sources, locks, dataSource };
}

describe('UpsertCustomerUseCase', () => {
  let store: ReturnType<typeof fakeStore>;
  let appended: { topic: string; key: string; event: Record<string, unknown> }[];
  let useCase: UpsertCustomerUseCase;

  beforeEach(() => {
    store = fakeStore();
    appended = [];
    const outbox = {
      append: (
        _em: EntityManager,
        e: { topic: { name: string }; key: string; event: Record<string, unknown> },
      ) => {
        appended.push({ topic: e.topic.name, key: e.key, event: e.event });
        return Promise.resolve('id');
      },
    } as unknown as OutboxWriter;
    useCase = new UpsertCustomerUseCase(
      store.dataSource,
      outbox,
      new CustomerRecords(new PiiCipher(randomBytes(32).toString('base64'))),
    );
  });

  const ref = (externalId: string, sourceSystem = 'sap') => ({ sourceSystem, externalId });
  const address = {
    country: 'CN',
    province: '广东省',
    city: '深圳市',
    district: null,
    line1: '一路 1 号',
    postcode: null,
  };

  it('creates a customer with its source, and emits customer-upserted and address-changed', async () => {
    const result = await useCase.execute(ref('1'), { name: 'ACME', address });
    expect(result.created).toBe(true);
    expect(result.customer).toMatchObject({
      name: 'ACME',
      timeZone: 'Asia/Shanghai',
      status: 'paid',
      address,
    });
    expect(store.sources).toHaveLength(1);
    expect(appended.map((a) => a.topic)).toEqual([Topic.CustomerUpserted, Topic.AddressChanged]);
    expect(appended[0]?.event).toMatchObject({ created: true, sources: [ref('1')] });
    expect(store.customers[0]?.addressSecret).toMatch(/^v1\./);
    expect(store.locks).toHaveLength(1);
  });

  it('writes nothing when nothing changed', async () => {
    await useCase.execute(ref('1'), { name: 'ACME', address });
    appended = [];
    const before = { ...store.customers[0] };
    const again = await useCase.execute(ref('1'), { name: 'ACME', address });
    expect(again).toMatchObject({ created: false, changed: false });
    expect(appended).toEqual([]);
    expect(store.customers[0]).toEqual(before);
  });

  it('emits address-changed only when the address changed, with the previous one', async () => {
    await useCase.execute(ref('1'), { name: 'ACME', address });
    appended = [];
    await useCase.execute(ref('1'), { name: 'ACME 2' });
    expect(appended.map((a) => a.topic)).toEqual([Topic.CustomerUpserted]);
    appended = [];
    await useCase.execute(ref('1'), { name: 'ACME 2', address: { ...address, city: '广州市' } });
    expect(appended.map((a) => a.topic)).toEqual([Topic.CustomerUpserted, Topic.AddressChanged]);
    expect(appended[1]?.event).toMatchObject({
      address: { city: '广州市' },
      previousAddress: { city: '深圳市' },
    });
  });

  it('joins a new source to the customer with the same tax id', async () => {
    const first = await useCase.execute(ref('1'), { name: 'ACME', taxId: 'ab 12' });
    const second = await useCase.execute(ref('X-9', 'kingdee'), { name: 'ACME', taxId: 'AB12' });
    expect(second).toMatchObject({ created: false, changed: true });
    expect(second.customer.id).toBe(first.customer.id);
    expect(second.customer.sources).toHaveLength(2);
    expect(store.customers).toHaveLength(1);
    expect(store.locks.at(-1)).toBe('customers:tax-id:AB12');
  });

  it('refuses to give a customer the tax id of another one (409)', async () => {
    await useCase.execute(ref('1'), { name: 'A', taxId: 'T1' });
    await useCase.execute(ref('2'), { name: 'B', taxId: 'T2' });
    await expect(useCase.execute(ref('2'), { name: 'B', taxId: 'T1' })).rejects.toMatchObject({
      status: 409,
      code: 'TAX_ID_CONFLICT',
    });
  });
});

describe('parseSourceRef', () => {
  it('lower-cases the source system and keeps the external id verbatim', () => {
    expect(parseSourceRef('SAP-ECC-CN', '0000/100 234')).toEqual({
      sourceSystem: 'sap-ecc-cn',
      externalId: '0000/100 234',
    });
  });

  it('names each bad part', () => {
    const error = (() => {
      try {
        parseSourceRef('sap ecc', ' x');
      } catch (err) {
        return err as CustomersException;
      }
      return undefined;
    })();
    expect(error?.status).toBe(400);
    expect(error?.details.map((d) => d.field)).toEqual(['sourceSystem', 'externalId']);
    expect(() => parseSourceRef('sap', 'a'.repeat(129))).toThrow(CustomersException);
    expect(() => parseSourceRef('sap', 'line\nbreak')).toThrow(CustomersException);
  });
});
