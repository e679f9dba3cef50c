import { Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module';
import { PaymentReceivedConsumer } from './payment-received.consumer';
import { PaymentReversedConsumer } from './payment-reversed.consumer';
import { ApplyPaymentUseCase } from './usecases/apply-payment.usecase';
import { ReversePaymentUseCase } from './usecases/reverse-payment.usecase';

/**
 * Cash application on the invoicing side: payment-received -> invoices paid or allocations
 * rejected; payment-reversed -> the invoices it paid reopened.
 */
@Module({
  imports: [CommonModule],
  providers: [ApplyPaymentUseCase, PaymentReceivedConsumer, ReversePaymentUseCase, PaymentReversedConsumer],
})
export class PaymentsModule {}
