import { Module } from '@nestjs/common';
import { ReminderChannelsModule } from '../channels/reminder-channels.module';
import { CustomerPlacementsModule } from '../customer-placements/customer-placements.module';
import { InvoicesModule } from '../invoices/invoices.module';
import { RemindersModule } from '../reminders/reminders.module';
import { CustomersConsumer } from './customers.consumer';
import { RecordCustomerUseCase } from './usecases/record-customer.usecase';

/** The customer read model, fed by customers.customer-upserted.v1. */
@Module({
  imports: [InvoicesModule, RemindersModule, CustomerPlacementsModule, ReminderChannelsModule],
  providers: [RecordCustomerUseCase, CustomersConsumer],
})
export class CustomersModule {}
