import { Module } from '@nestjs/common';
import { InvoiceDirectory } from './invoice-directory';
import { InvoiceViewRepository } from './invoice-view.repository';
import { InvoicesConsumer } from './invoices.consumer';
import { ProjectInvoiceUseCase } from './usecases/project-invoice.usecase';

/** The invoice read model: what a payment can be applied to. */
@Module({
  providers: [InvoiceViewRepository, InvoiceDirectory, ProjectInvoiceUseCase, InvoicesConsumer],
  exports: [InvoiceViewRepository, InvoiceDirectory],
})
export class InvoicesModule {}
