import type { BankPaymentRecord } from '@duemap/events';
import { classifyError, FatalEventError } from '@duemap/messaging';
import type { EntityManager } from 'typeorm';
import type { BankStatementRepository, LineRow } from '../../bank-statements/bank-statement.repository';
import { dedupKeyOf } from '../../bank-statements/usecases/import-bank-statement.usecase';
import { statementLineOf, type FeedRecord } from '../bank-payment-line';
import { FEED_IMPORTER, IngestBankPaymentsUseCase } from './ingest-bank-payments.usecase';

const em = {} as EntityManager;
const ACCOUNT = '4000023009200123456';

function credit(id: string, extra: Partial<BankPaymentRecord> = {}): BankPaymentRecord {
  return {
    bankTransactionId: id,
    account: { number: ACCOUNT, currency: 'CNY' },
    bookingDate: '2026-01-10',
    valueDate: '2026-01-11',
    amount: { amount: '1200.00', currency: 'CNY' },
    payer: { name: ' 深圳华联电子有限公司 ', account: '6222021234567890123' },
    remittance: '货款 INV-2026-004217 ',
    ...extra,
  };
}

function fed(record: BankPaymentRecord, offset = 7): FeedRecord {
  return { record, topic: 'bank.payments.v1', partition: 1, offset: String(offset) };
}

/** The repository with its SQL replaced: records what the use case stores. */
function fakeRepository(earlier: Map<string, string> = new Map()) {
  const stored = { statements: [] as string[], lines: [] as LineRow[], summaries: [] as unknown[] };
  const repository = {
    lockImports: jest.fn(() => Promise.resolve()),
    insertStatement: jest.fn((_em: EntityManager, id: string, importedBy: string) => {
      stored.statements.push(`${id} ${importedBy}`);
      return Promise.resolve();
    }),
    existingKeys: jest.fn((_em: EntityManager, keys: readonly string[]) =>
      Promise.resolve(new Map([...earlier].filter(([key]) => keys.includes(key)))),
    ),
    insertLines: jest.fn((_em: EntityManager, _id: string, rows: readonly LineRow[]) => {
      stored.lines.push(...rows);
      return Promise.resolve();
    }),
    completeStatement: jest.fn((_em: EntityManager, summary: unknown) => {
      stored.summaries.push(summary);
      return Promise.resolve();
    }),
  };
  return { repository: repository as unknown as BankStatementRepository, fake: repository, stored };
}

describe('a bank.payments.v1 record as a statement line', () => {
  it('is the line an upload would have made of the transaction', () => {
    const line = statementLineOf(
      fed(
        credit('BTX-1', {
          endToEndId: 'NOTPROVIDED',
          documentNumbers: ['INV-2026-004217', ' '],
          creditorReference: 'RF18539007547034',
          bankText: '跨行转账',
          amount: { amount: '1200.500', currency: 'CNY' },
        }),
      ),
      3,
    );
    expect(line).toMatchObject({
      format: 'feed',
      statementId: 'bank.payments.v1',
      account: { number: ACCOUNT, currency: 'CNY' },
      entryIndex: 3,
      bookingDate: '2026-01-10',
      valueDate: '2026-01-11',
      direction: 'credit',
      bookingStatus: 'booked',
      reversal: false,
      counterparty: { name: '深圳华联电子有限公司', account: '6222021234567890123' },
      remittance: '货款 INV-2026-004217',
      references: {
        bankTransactionId: 'BTX-1',
        creditorReference: 'RF18539007547034',
        documentNumbers: ['INV-2026-004217'],
      },
      bankText: '跨行转账',
      position: { line: 3, path: 'bank.payments.v1/1@7' },
    });
    // A placeholder is no reference: it must never become a duplicate key.
    expect(line.references.endToEndId).toBeUndefined();
    // Trailing zeros past the currency's two decimals are dropped, as for an upload.
    expect(line.amount.toJSON()).toEqual({ amount: '1200.50', currency: 'CNY' });
    expect(dedupKeyOf(line)).toBe(`btx|${ACCOUNT}|BTX-1|120050CNY`);
  });

  it('refuses for good what the schema cannot say, naming the field', () => {
    const refusal = (record: BankPaymentRecord): string => {
      try {
        statementLineOf(fed(record), 1);
      } catch (err) {
        expect(err).toBeInstanceOf(FatalEventError);
        expect(classifyError(err)).toBe('fatal');
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refusal(credit('BTX-1', { amount: { amount: '10.00', currency: 'XYZ' } }))).toMatch(
      /^bank\.payments\.v1 \(partition 1, offset 7\): \/amount\/currency: currency "XYZ" is not a known ISO 4217 currency$/,
    );
    expect(refusal(credit('BTX-1', { amount: { amount: '10.5', currency: 'JPY' } }))).toMatch(
      /\/amount\/amount: amount "10\.5": /,
    );
    expect(refusal(credit('NOTPROVIDED'))).toMatch(/\/bankTransactionId: "NOTPROVIDED" is a placeholder/);
  });
});

describe('IngestBankPaymentsUseCase', () => {
  it('stores a batch as one feed statement: candidates, duplicates (earlier and in the batch), not candidates', async () => {
    const earlierLine = statementLineOf(fed(credit('BTX-OLD')), 1);
    const earlierStatement = '0e1d3a63-2a47-4a55-9a5b-0b8b1c3f3c11';
    const { repository, stored } = fakeRepository(new Map([[dedupKeyOf(earlierLine), earlierStatement]]));
    const outcome = await new IngestBankPaymentsUseCase(repository).execute(em, [
      fed(credit('BTX-NEW'), 1),
      fed(credit('BTX-OLD'), 2),
      fed(credit('BTX-NEW'), 3),
      // The same id with another amount is another payment.
      fed(credit('BTX-NEW', { amount: { amount: '5.00', currency: 'CNY' } }), 4),
      fed(credit('BTX-DEBIT', { direction: 'debit' }), 5),
      fed(credit('BTX-PENDING', { status: 'pending' }), 6),
      fed(credit('BTX-REVERSAL', { reversal: true }), 7),
      fed(credit('BTX-ZERO', { amount: { amount: '0', currency: 'CNY' } }), 8),
    ]);

    expect(outcome).toEqual({
      statementId: expect.any(String),
      candidates: 2,
      duplicates: 2,
      notCandidates: 4,
    });
    expect(stored.statements).toEqual([`${outcome.statementId} ${FEED_IMPORTER}`]);
    expect(
      stored.lines.map((row) => [row.lineNo, row.status, row.reason ?? row.duplicateOf ?? null]),
    ).toEqual([
      [1, 'unmatched', null],
      [2, 'duplicate', earlierStatement],
      [3, 'duplicate', outcome.statementId],
      [4, 'unmatched', null],
      [5, 'not_candidate', 'debit'],
      [6, 'not_candidate', 'not_booked'],
      [7, 'not_candidate', 'reversal'],
      [8, 'not_candidate', 'zero_amount'],
    ]);
    expect(stored.summaries).toEqual([
      expect.objectContaining({
        id: outcome.statementId,
        format: 'feed',
        statements: 1,
        accounts: [ACCOUNT],
        lines: 8,
        credits: 7,
        debits: 1,
        candidates: 2,
        duplicates: 2,
        notCandidates: 4,
        fileSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      }),
    ]);
  });

  it('writes nothing when one record of the batch cannot be booked', async () => {
    const { repository, fake } = fakeRepository();
    await expect(
      new IngestBankPaymentsUseCase(repository).execute(em, [
        fed(credit('BTX-1')),
        fed(credit('BTX-2', { amount: { amount: '1.00', currency: 'XYZ' } })),
      ]),
    ).rejects.toThrow(FatalEventError);
    expect(fake.insertStatement).not.toHaveBeenCalled();
    expect(fake.insertLines).not.toHaveBeenCalled();
  });
});
