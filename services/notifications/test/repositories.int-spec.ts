import { createTestDatabase, migrate, type TestDatabase } from '@duemap/testing';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source';
import { InvoiceRepository } from '../src/invoices/invoice.repository';
import type { InvoiceState } from '../src/invoices/invoice-update';
import { ReminderRepository, type PlannedReminder } from '../src/reminders/reminder.repository';

const T1 = new Date('2025-03-01T08:00:00.000Z');
const T2 = new Date('2025-03-02T08:00:00.000Z');
const NOW = new Date('2025-03-20T12:00:00.000Z');

/** The hand-written SQL of the hot path, against Postgres with the real migrations. */
describe('notifications repositories (SQL)', () => {
  let database: TestDatabase;
  let ds: DataSource;
  const invoices = new InvoiceRepository();
  const reminders = new ReminderRepository();

  beforeAll(async () => {
    database = await createTestDatabase('notifications_sql');
    await migrate(dataSourceOptions(database.url));
    ds = new DataSource(dataSourceOptions(database.url));
    await ds.initialize();
  });

  afterAll(async () => {
    await ds?.destroy();
    await database?.drop();
  });

  const tx = <T>(work: (em: EntityManager) => Promise<T>): Promise<T> => ds.transaction(work);
  const row = async (invoiceId: string) =>
    (
      await ds.query<Record<string, unknown>[]>(
        `SELECT customer_id, number, kind, status, to_char(due_date, 'YYYY-MM-DD') AS due_date,
                open_minor::text AS open_minor, currency, occurred_at
           FROM invoices WHERE invoice_id = $1`,
        [invoiceId],
      )
    )[0];

  const state = (invoiceId: string, customerId: string, over: Partial<InvoiceState> = {}): InvoiceState => ({
    invoiceId,
    customerId,
    number: 'INV-1',
    kind: 'invoice',
    status: 'open',
    dueDate: '2025-03-31',
    openMinor: '113000',
    currency: 'CNY',
    version: 0n,
    occurredAt: T1,
    ...over,
  });
  const customer = async (customerId: string, tier = 'vip'): Promise<void> => {
    await ds.query(
      `INSERT INTO customers (customer_id, name, time_zone, locale, tier, occurred_at)
       VALUES ($1, 'ACME', 'Asia/Shanghai', 'zh-CN', $2, $3)`,
      [customerId, tier, T1],
    );
  };
  const save = (states: InvoiceState[], known: string[] = []) =>
    tx((em) => invoices.saveAll(em, states, new Set(known)));

  describe('InvoiceRepository', () => {
    it('saveAll inserts invoices it was told are new and updates known ones, in one statement', async () => {
      const [a, b] = [randomUUID(), randomUUID()];
      await save([
        state(a, 'c-1'),
        state(b, 'c-1', { kind: 'unknown', number: '', dueDate: null, openMinor: null, currency: null }),
      ]);
      expect(await row(a)).toEqual({
        customer_id: 'c-1',
        number: 'INV-1',
        kind: 'invoice',
        status: 'open',
        due_date: '2025-03-31',
        open_minor: '113000',
        currency: 'CNY',
        occurred_at: T1,
      });
      expect(await row(b)).toMatchObject({
        number: '',
        kind: 'unknown',
        due_date: null,
        open_minor: null,
        currency: null,
      });
      await save(
        [
          state(a, 'c-2', { status: 'paid', openMinor: '0', dueDate: null, occurredAt: T2 }),
          state(b, 'c-1', { occurredAt: T2 }),
        ],
        [a, b],
      );
      expect(await row(a)).toMatchObject({
        customer_id: 'c-2',
        status: 'paid',
        open_minor: '0',
        due_date: null,
        occurred_at: T2,
      });
      expect(await row(b)).toMatchObject({ kind: 'invoice', due_date: '2025-03-31', occurred_at: T2 });
    });

    it('saveAll fails (the transaction is applied again) when an invoice it was told is new exists', async () => {
      const invoiceId = randomUUID();
      await save([state(invoiceId, 'c-1')]);
      await expect(save([state(invoiceId, 'c-2', { occurredAt: T2 })])).rejects.toThrow(
        /concurrent transaction/,
      );
      expect(await row(invoiceId)).toMatchObject({ customer_id: 'c-1', occurred_at: T1 });
    });

    it('lockForPlanning reads the invoices it holds (with their version), locked, and the customers asked for', async () => {
      const [known, unknown] = [randomUUID(), randomUUID()];
      const [customerId, other] = [randomUUID(), randomUUID()];
      await customer(customerId);
      await customer(other, 'standard');
      await save([state(known, customerId, { dueDate: null, openMinor: '-500', version: 7n })]);
      await tx(async (em) => {
        const locked = await invoices.lockForPlanning(em, [unknown, known], [customerId, randomUUID()]);
        expect([...locked.invoices.values()]).toEqual([
          state(known, customerId, { dueDate: null, openMinor: '-500', version: 7n }),
        ]);
        expect([...locked.customers]).toEqual([[customerId, { timeZone: 'Asia/Shanghai', tier: 'vip' }]]);
        await expect(
          ds.query(`SELECT 1 FROM invoices WHERE invoice_id = $1 FOR UPDATE NOWAIT`, [known]),
        ).rejects.toThrow(/could not obtain lock/);
      });
    });

    it("lockOpenOfCustomer: the customer's invoices neither paid nor void, by id", async () => {
      const customerId = randomUUID();
      const ids = ['b', 'a', 'c', 'd'].map((p) => `${p}-${randomUUID()}`);
      const statuses = ['open', 'overdue', 'paid', 'void'] as const;
      await save(ids.map((id, i) => state(id, customerId, { status: statuses[i] })));
      const open = await tx((em) => invoices.lockOpenOfCustomer(em, customerId));
      expect(open.map((i) => [i.invoiceId, i.status, i.firstSeen, i.customer])).toEqual([
        [ids[1], 'overdue', false, null],
        [ids[0], 'open', false, null],
      ]);
    });
  });

  describe('ReminderRepository', () => {
    const newReminder = (
      invoiceId: string,
      level: number,
      over: Partial<PlannedReminder> = {},
    ): PlannedReminder => ({
      id: randomUUID(),
      invoiceId,
      customerId: 'c-1',
      policyId: 'default',
      channel: 'email',
      level,
      offsetDays: level * 7,
      scheduledFor: new Date(Date.UTC(2025, 3, level, 1)),
      status: 'scheduled',
      reason: null,
      cancelledAt: null,
      ...over,
    });
    const stored = async (invoiceId: string) =>
      ds.query<Record<string, unknown>[]>(
        `SELECT id, customer_id, policy_id, level, offset_days, scheduled_for, status, reason, cancelled_at, updated_at
           FROM reminders WHERE invoice_id = $1 ORDER BY level`,
        [invoiceId],
      );

    it('inserts many of several invoices in one statement and reads them back locked, by invoice and level', async () => {
      const [a, b] = [randomUUID(), randomUUID()].sort();
      const rows = [
        newReminder(b as string, 2),
        newReminder(a as string, 2, { status: 'cancelled', reason: 'invoice_paid', cancelledAt: NOW }),
        newReminder(b as string, 1, { status: 'skipped', reason: 'time_passed' }),
        newReminder(a as string, 1, { customerId: 'c-2', policyId: 'vip' }),
      ];
      await tx((em) => reminders.insertAll(em, rows));
      await tx(async (em) => {
        const read = await reminders.lockOfInvoices(em, [b as string, a as string, randomUUID()]);
        expect(read).toEqual([rows[3], rows[1], rows[2], rows[0]]);
        await expect(
          ds.query(`SELECT 1 FROM reminders WHERE id = $1 FOR UPDATE NOWAIT`, [rows[0]!.id]),
        ).rejects.toThrow(/could not obtain lock/);
      });
      await expect(tx((em) => reminders.lockOfInvoices(em, []))).resolves.toEqual([]);
    });

    it('writes the new state of many in one statement: re-anchored, cancelled', async () => {
      const invoiceId = randomUUID();
      const [one, two, three] = [
        newReminder(invoiceId, 1, { status: 'skipped', reason: 'time_passed' }),
        newReminder(invoiceId, 2),
        newReminder(invoiceId, 3),
      ];
      await tx((em) => reminders.insertAll(em, [one, two, three]));
      const moved = new Date('2025-05-01T01:00:00.000Z');
      await tx((em) =>
        reminders.updateAll(
          em,
          [
            {
              ...one,
              customerId: 'c-2',
              policyId: 'vip',
              offsetDays: -1,
              scheduledFor: moved,
              status: 'scheduled',
              reason: null,
            },
            { ...two, status: 'cancelled', reason: 'due_date_changed', cancelledAt: NOW },
          ],
          NOW,
        ),
      );
      expect(await stored(invoiceId)).toEqual([
        expect.objectContaining({
          customer_id: 'c-2',
          policy_id: 'vip',
          offset_days: -1,
          scheduled_for: moved,
          status: 'scheduled',
          reason: null,
          updated_at: NOW,
        }),
        expect.objectContaining({
          status: 'cancelled',
          reason: 'due_date_changed',
          cancelled_at: NOW,
          updated_at: NOW,
        }),
        expect.objectContaining({ status: 'scheduled', cancelled_at: null }),
      ]);
    });

    it("frees a level's slot for a new reminder when the old one is cancelled first, in one transaction", async () => {
      const invoiceId = randomUUID();
      const old = newReminder(invoiceId, 1);
      await tx((em) => reminders.insertAll(em, [old]));
      // At most one reminder per level that is not cancelled.
      await expect(tx((em) => reminders.insertAll(em, [newReminder(invoiceId, 1)]))).rejects.toThrow(
        /reminders_one_per_level/,
      );
      await tx(async (em) => {
        await reminders.updateAll(
          em,
          [{ ...old, status: 'cancelled', reason: 'invoice_paid', cancelledAt: NOW }],
          NOW,
        );
        await reminders.insertAll(em, [newReminder(invoiceId, 1)]);
      });
      expect((await stored(invoiceId)).map((r) => r.status).sort()).toEqual(['cancelled', 'scheduled']);
    });
  });
});
