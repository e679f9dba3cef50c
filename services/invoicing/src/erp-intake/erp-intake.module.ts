import { Module } from '@nestjs/common';
import { InvoicesModule } from '../invoices/invoices.module';
import { ErpInvoicesConsumer } from './erp-invoices.consumer';

/**
 * Bulk intake of invoices from ERPs: the Kafka topic erp.invoices.v1 and CSV/XLSX imports, both
 * through UpsertInvoiceUseCase (InvoicesModule), so every way in keeps the same rules.
 */
@Module({
  imports: [InvoicesModule],
  providers: [ErpInvoicesConsumer],
})
export class ErpIntakeModule {}
