import { Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module';
import { PaymentReceivedConsumer } from './payment-received.consumer';
import { ApplyPaymentUseCase } from './usecases/apply-payment.usecase';

/** Cash application on the invoicing side: payment-received -> invoices paid or allocations rejected. */
@Module({
  imports: [CommonModule],
  providers: [ApplyPaymentUseCase, PaymentReceivedConsumer],
})
export class PaymentsModule {}
