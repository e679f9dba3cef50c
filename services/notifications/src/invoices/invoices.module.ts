import { Module } from '@nestjs/common';
import { RemindersModule } from '../reminders/reminders.module';
import { InvoiceRepository } from './invoice.repository';
import { InvoicesConsumer } from './invoices.consumer';
import { RecordInvoiceStateUseCase } from './usecases/record-invoice-state.usecase';

/** The invoice projection, fed by invoicing's events. */
@Module({
  imports: [RemindersModule],
  providers: [InvoiceRepository, RecordInvoiceStateUseCase, InvoicesConsumer],
  exports: [InvoiceRepository],
})
export class InvoicesModule {}
