import { Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module';
import { CustomersModule } from '../customers/customers.module';
import { InvoicesController } from './invoices.controller';
import { GetInvoiceUseCase } from './usecases/get-invoice.usecase';
import { ListInvoicesUseCase } from './usecases/list-invoices.usecase';
import { UpsertInvoiceUseCase } from './usecases/upsert-invoice.usecase';
import { VoidInvoiceUseCase } from './usecases/void-invoice.usecase';

@Module({
  imports: [CommonModule, CustomersModule],
  controllers: [InvoicesController],
  providers: [UpsertInvoiceUseCase, GetInvoiceUseCase, ListInvoicesUseCase, VoidInvoiceUseCase],
  exports: [UpsertInvoiceUseCase],
})
export class InvoicesModule {}
