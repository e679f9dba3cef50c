import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module';
import { InvoicesModule } from '../invoices/invoices.module';
import { AllocationRejectedConsumer } from './allocation-rejected.consumer';
import { PaymentsController } from './payments.controller';
import { PaymentsRepository } from './payments.repository';
import { GetPaymentUseCase } from './usecases/get-payment.usecase';
import { ListPaymentsUseCase } from './usecases/list-payments.usecase';
import { RefundPaymentUseCase } from './usecases/refund-payment.usecase';
import { ReversePaymentUseCase } from './usecases/reverse-payment.usecase';
import { ReviewPaymentUseCase } from './usecases/review-payment.usecase';
import { RecordPaymentUseCase } from './usecases/record-payment.usecase';
import { RejectAllocationUseCase } from './usecases/reject-allocation.usecase';

@Module({
  imports: [CustomersModule, InvoicesModule],
  controllers: [PaymentsController],
  providers: [
    PaymentsRepository,
    RecordPaymentUseCase,
    GetPaymentUseCase,
    ListPaymentsUseCase,
    ReversePaymentUseCase,
    RefundPaymentUseCase,
    ReviewPaymentUseCase,
    RejectAllocationUseCase,
    AllocationRejectedConsumer,
  ],
  exports: [PaymentsRepository],
})
export class PaymentsModule {}
