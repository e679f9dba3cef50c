import { Module } from '@nestjs/common';
import { InvoicesModule } from '../invoices/invoices.module';
import { RemindersModule } from '../reminders/reminders.module';
import { PaymentSettlementsConsumer } from './payment-settlements.consumer';
import { RecordPaymentSettlementsUseCase } from './usecases/record-payment-settlements.usecase';

/** Payments' decisions on invoices, ahead of invoicing's: holds on reminders (ADR 0030). */
@Module({
  imports: [InvoicesModule, RemindersModule],
  providers: [RecordPaymentSettlementsUseCase, PaymentSettlementsConsumer],
})
export class PaymentSettlementsModule {}
