import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module';
import { InvoicesModule } from '../invoices/invoices.module';
import { AllocationRejectedConsumer } from './allocation-rejected.consumer';
import { PaymentsController } from './payments.controller';
import { PaymentsRepository } from './payments.repository';
import { GetPaymentUseCase } from './usecases/get-payment.usecase';
import { RecordPaymentUseCase } from './usecases/record-payment.usecase';
import { RejectAllocationUseCase } from './usecases/reject-allocation.usecase';

@Module({
  imports: [CustomersModule, InvoicesModule],
  controllers: [PaymentsController],
  providers: [
    PaymentsRepository,
    RecordPaymentUseCase,
    GetPaymentUseCase,
    RejectAllocationUseCase,
    AllocationRejectedConsumer,
  ],
})
export class PaymentsModule {}
