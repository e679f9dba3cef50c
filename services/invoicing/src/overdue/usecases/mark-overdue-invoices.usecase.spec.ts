import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { InvoiceField, InvoiceStatus as ProtoStatus, Topic } from '@duemap/events';
import { Money } from '@duemap/money';
import type { Invoice } from '../../invoices/invoice.model';
import type { InvoiceRepository } from '../../invoices/invoice.repository';
import {
  anInvoice,
  fakeClock,
  fakeDataSource,
  recordingOutbox,
  type RecordingOutbox,
} from '../../testing/invoice.fixtures';
import { MarkOverdueInvoicesUseCase } from './mark-overdue-invoices.usecase';

describe('MarkOverdueInvoicesUseCase', () => {
  let claimed: Invoice[];
  let invoices: jest.Mocked<Pick<InvoiceRepository, 'claimPastDue' | 'update'>>;
  let outbox: RecordingOutbox;

  const run = (now: string) =>
    new MarkOverdueInvoicesUseCase(
      fakeDataSource(),
      invoices as unknown as InvoiceRepository,
      outbox.writer,
      fakeClock(now),
    ).execute(100);

  beforeEach(() => {
    claimed = [];
    invoices = {
      claimPastDue: jest.fn().mockImplementation(() => Promise.resolve(claimed)),
      update: jest.fn().mockResolvedValue(undefined),
    };
    outbox = recordingOutbox();
  });

  it('marks claimed invoices overdue with invoice-changed (STATUS) and invoice-overdue', async () => {
    claimed = [
      anInvoice({ dueDate: '2025-03-31' }),
      anInvoice({
        id: '22222222-2222-4222-8222-222222222222',
        paid: Money.of('10.00', 'CNY'),
        status: 'partially_paid',
      }),
    ];
    // 00:00 on 1 April in Shanghai.
    const marked = await run('2025-03-31T16:00:00Z');

    expect(marked).toBe(2);
    expect(invoices.claimPastDue).toHaveBeenCalledWith(
      expect.anything(),
      new Date('2025-03-31T16:00:00Z'),
      100,
    );
    expect(invoices.update.mock.calls.map(([, i]) => i.status)).toEqual(['overdue', 'overdue']);
    expect(outbox.topics()).toEqual([
      Topic.InvoiceChanged,
      Topic.InvoiceOverdue,
      Topic.InvoiceChanged,
      Topic.InvoiceOverdue,
    ]);
    expect(outbox.events()[0]?.event).toMatchObject({
      status: ProtoStatus.OVERDUE,
      changedFields: [InvoiceField.STATUS],
    });
    expect(outbox.events()[1]?.event).toMatchObject({
      dueDate: expect.objectContaining({ year: 2025, month: 3, day: 31 }),
      overdueSince: expect.objectContaining({ year: 2025, month: 4, day: 1 }),
      timeZone: 'Asia/Shanghai',
      openAmount: { amount: '1000.00', currency: 'CNY' },
    });
  });

  it('marks as the next version, at a time read after its claim', async () => {
    claimed = [anInvoice({ dueDate: '2025-03-31', version: 4n })];
    // The claim can wait (a lock, a slow disk): a payment applied meanwhile is older than the mark.
    let now = new Date('2025-03-31T16:00:00Z');
    const claimedAt = new Date('2025-03-31T16:00:05Z');
    invoices.claimPastDue.mockImplementation(() => {
      now = claimedAt;
      return Promise.resolve(claimed);
    });
    await new MarkOverdueInvoicesUseCase(
      fakeDataSource(),
      invoices as unknown as InvoiceRepository,
      outbox.writer,
      { now: () => now },
    ).execute(100);
    expect(invoices.update).toHaveBeenCalledWith(
      expect.anything(),
      expect.objectContaining({ status: 'overdue', version: 5n, updatedAt: claimedAt }),
    );
    expect(outbox.events().map((e) => e.event)).toEqual([
      expect.objectContaining({ invoiceVersion: 5n, occurredAt: timestampFromDate(claimedAt) }),
      expect.objectContaining({ invoiceVersion: 5n, occurredAt: timestampFromDate(claimedAt) }),
    ]);
  });

  it('leaves a row alone if the date rule says it is not past due yet (clock skew, moved zone)', async () => {
    claimed = [anInvoice({ dueDate: '2025-03-31' })];
    const marked = await run('2025-03-31T15:59:59.999Z');
    expect(marked).toBe(0);
    expect(invoices.update).not.toHaveBeenCalled();
    expect(outbox.events()).toEqual([]);
  });
});
