import { Module } from '@nestjs/common';
import { BankStatementsModule } from '../bank-statements/bank-statements.module';
import { BankFeedConsumer } from './bank-feed.consumer';
import { IngestBankPaymentsUseCase } from './usecases/ingest-bank-payments.usecase';

/**
 * The Kafka intake of bank transactions (bank.payments.v1): records become statement lines, stored
 * and deduplicated as an upload's are, which cash application (BankStatementsModule's worker) turns
 * into payments.
 */
@Module({
  imports: [BankStatementsModule],
  providers: [IngestBankPaymentsUseCase, BankFeedConsumer],
})
export class BankFeedModule {}
