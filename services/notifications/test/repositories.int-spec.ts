import { createTestDatabase, migrate, type TestDatabase } from '@duemap/testing';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source';
import { InvoiceRepository } from '../src/invoices/invoice.repository';
import type { InvoiceUpdate } from '../src/invoices/invoice-update';
import { ReminderRepository, type NewReminder } from '../src/reminders/reminder.repository';

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

  const issued = (
    invoiceId: string,
    customerId: string,
    over: Partial<InvoiceUpdate> = {},
  ): InvoiceUpdate => ({
    invoiceId,
    customerId,
    occurredAt: T1,
    status: 'open',
    number: 'INV-1',
    kind: 'invoice',
    dueDate: '2025-03-31',
    openMinor: 113000n,
    currency: 'CNY',
    ...over,
  });

  describe('InvoiceRepository.upsert', () => {
    it('creates the projection of an invoice it did not know: first seen, customer unknown', async () => {
      const invoiceId = randomUUID();
      const customerId = randomUUID();
      await expect(tx((em) => invoices.upsert(em, issued(invoiceId, customerId)))).resolves.toEqual({
        invoiceId,
        customerId,
        kind: 'invoice',
        status: 'open',
        dueDate: '2025-03-31',
        openMinor: '113000',
        customer: null,
        firstSeen: true,
      });
      expect(await row(invoiceId)).toEqual({
        customer_id: customerId,
        number: 'INV-1',
        kind: 'invoice',
        status: 'open',
        due_date: '2025-03-31',
        open_minor: '113000',
        currency: 'CNY',
        occurred_at: T1,
      });
    });

    it('defaults what a paid event does not carry when it comes first', async () => {
      const invoiceId = randomUUID();
      const paid: InvoiceUpdate = { invoiceId, customerId: 'c-1', occurredAt: T1, status: 'paid' };
      await expect(tx((em) => invoices.upsert(em, paid))).resolves.toMatchObject({
        kind: 'unknown',
        dueDate: null,
        openMinor: null,
        firstSeen: true,
      });
      expect(await row(invoiceId)).toMatchObject({ number: '', currency: null });
    });

    it('applies a newer event, keeping what it does not carry, with the customer it knows', async () => {
      const invoiceId = randomUUID();
      const customerId = randomUUID();
      await ds.query(
        `INSERT INTO customers (customer_id, name, time_zone, locale, tier, occurred_at)
         VALUES ($1, 'ACME', 'Asia/Shanghai', 'zh-CN', 'vip', $2)`,
        [customerId, T1],
      );
      await tx((em) => invoices.upsert(em, issued(invoiceId, customerId)));
      const paid: InvoiceUpdate = {
        invoiceId,
        customerId,
        occurredAt: T2,
        status: 'paid',
        number: '',
        openMinor: 0n,
        currency: 'CNY',
      };
      await expect(tx((em) => invoices.upsert(em, paid))).resolves.toEqual({
        invoiceId,
        customerId,
        kind: 'invoice',
        status: 'paid',
        dueDate: '2025-03-31',
        openMinor: '0',
        customer: { timeZone: 'Asia/Shanghai', tier: 'vip' },
        firstSeen: false,
      });
      expect(await row(invoiceId)).toMatchObject({ number: 'INV-1', status: 'paid', occurred_at: T2 });
    });

    it('sees an invoice created earlier in the same transaction as known (a group of events)', async () => {
      const invoiceId = randomUUID();
      const [first, second] = await tx(async (em) => [
        await invoices.upsert(em, issued(invoiceId, 'c-1')),
        await invoices.upsert(em, issued(invoiceId, 'c-1', { occurredAt: T2, status: 'paid' })),
      ]);
      expect([first?.firstSeen, second?.firstSeen, second?.status]).toEqual([true, false, 'paid']);
    });

    it('takes a due date the event says is gone', async () => {
      const invoiceId = randomUUID();
      await tx((em) => invoices.upsert(em, issued(invoiceId, 'c-1')));
      await tx((em) => invoices.upsert(em, issued(invoiceId, 'c-1', { occurredAt: T2, dueDate: null })));
      expect(await row(invoiceId)).toMatchObject({ due_date: null });
    });

    it.each([
      ['older than', T1],
      ['as old as', T2],
    ])('changes nothing for an event %s the state it holds (topics are not ordered)', async (_, at) => {
      const invoiceId = randomUUID();
      await tx((em) => invoices.upsert(em, issued(invoiceId, 'c-1', { occurredAt: T2 })));
      const before = await row(invoiceId);
      const late = issued(invoiceId, 'c-2', { occurredAt: at, status: 'void', dueDate: '2025-06-30' });
      await expect(tx((em) => invoices.upsert(em, late))).resolves.toBeNull();
      expect(await row(invoiceId)).toEqual(before);
    });

    it('holds the invoice row locked until the transaction ends', async () => {
      const invoiceId = randomUUID();
      await tx((em) => invoices.upsert(em, issued(invoiceId, 'c-1')));
      await tx(async (em) => {
        await invoices.upsert(em, issued(invoiceId, 'c-1', { occurredAt: T2 }));
        await expect(
          ds.query(`SELECT 1 FROM invoices WHERE invoice_id = $1 FOR UPDATE NOWAIT`, [invoiceId]),
        ).rejects.toThrow(/could not obtain lock/);
      });
    });
  });

  it("InvoiceRepository.lockOpenOfCustomer: the customer's invoices neither paid nor void, by id", async () => {
    const customerId = randomUUID();
    const ids = ['b', 'a', 'c', 'd'].map((p) => `${p}-${randomUUID()}`);
    const statuses = ['open', 'overdue', 'paid', 'void'] as const;
    await tx(async (em) => {
      for (const [i, id] of ids.entries()) {
        await invoices.upsert(em, issued(id, customerId, { status: statuses[i] }));
      }
    });
    const open = await tx((em) => invoices.lockOpenOfCustomer(em, customerId));
    expect(open.map((i) => [i.invoiceId, i.status, i.firstSeen])).toEqual([
      [ids[1], 'overdue', false],
      [ids[0], 'open', false],
    ]);
  });

  describe('ReminderRepository', () => {
    const newReminder = (level: number, over: Partial<NewReminder> = {}): NewReminder => ({
      id: randomUUID(),
      level,
      offsetDays: level * 7,
      scheduledFor: new Date(Date.UTC(2025, 3, level, 1)),
      status: 'scheduled',
      reason: null,
      ...over,
    });
    const of = (invoiceId: string) => ({
      invoiceId,
      customerId: 'c-1',
      policyId: 'default',
      channel: 'email' as const,
    });
    const stored = async (invoiceId: string) =>
      ds.query<Record<string, unknown>[]>(
        `SELECT id, customer_id, policy_id, level, offset_days, scheduled_for, status, reason, cancelled_at, updated_at
           FROM reminders WHERE invoice_id = $1 ORDER BY level`,
        [invoiceId],
      );

    it('inserts many in one statement and reads them back locked, in level order', async () => {
      const invoiceId = randomUUID();
      const rows = [
        newReminder(2),
        newReminder(1, { status: 'skipped', reason: 'time_passed' }),
        newReminder(3),
      ];
      await tx((em) => reminders.insertAll(em, of(invoiceId), rows));
      const read = await tx((em) => reminders.lockOfInvoice(em, invoiceId));
      expect(read).toEqual(
        [rows[1], rows[0], rows[2]].map((r) => ({
          id: r!.id,
          invoiceId,
          customerId: 'c-1',
          level: r!.level,
          offsetDays: r!.offsetDays,
          status: r!.status,
          scheduledFor: r!.scheduledFor,
          channel: 'email',
        })),
      );
      expect((await stored(invoiceId)).map((r) => [r.policy_id, r.reason])).toEqual([
        ['default', 'time_passed'],
        ['default', null],
        ['default', null],
      ]);
    });

    it('reschedules and cancels many in one statement each', async () => {
      const invoiceId = randomUUID();
      const [one, two, three] = [
        newReminder(1, { status: 'skipped', reason: 'time_passed' }),
        newReminder(2),
        newReminder(3),
      ];
      await tx((em) => reminders.insertAll(em, of(invoiceId), [one, two, three]));
      const moved = new Date('2025-05-01T01:00:00.000Z');
      await tx(async (em) => {
        await reminders.rescheduleAll(
          em,
          { customerId: 'c-2', policyId: 'vip' },
          [{ id: one.id, offsetDays: -1, scheduledFor: moved }],
          NOW,
        );
        await reminders.cancelAll(em, [{ id: two.id, reason: 'due_date_changed' }], NOW);
      });
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
        expect.objectContaining({ status: 'cancelled', reason: 'due_date_changed', cancelled_at: NOW }),
        expect.objectContaining({ status: 'scheduled', cancelled_at: null }),
      ]);
    });

    it("cancels an invoice's scheduled reminders, and only those, returning them in level order", async () => {
      const invoiceId = randomUUID();
      const rows = [
        newReminder(3),
        newReminder(1, { status: 'skipped', reason: 'time_passed' }),
        newReminder(2),
      ];
      await tx((em) => reminders.insertAll(em, of(invoiceId), rows));
      await ds.query(`UPDATE reminders SET status = 'sent' WHERE id = $1`, [rows[2]!.id]);
      const cancelled = await tx((em) =>
        reminders.cancelScheduledOfInvoice(em, invoiceId, 'invoice_paid', NOW),
      );
      expect(cancelled).toEqual([{ id: rows[0]!.id, customerId: 'c-1', level: 3 }]);
      expect((await stored(invoiceId)).map((r) => [r.level, r.status, r.reason])).toEqual([
        [1, 'skipped', 'time_passed'],
        [2, 'sent', null],
        [3, 'cancelled', 'invoice_paid'],
      ]);
      await expect(
        tx((em) => reminders.cancelScheduledOfInvoice(em, invoiceId, 'invoice_paid', NOW)),
      ).resolves.toEqual([]);
    });
  });
});
