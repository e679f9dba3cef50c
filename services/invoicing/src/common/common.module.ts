import { Module } from '@nestjs/common';
import { CustomerRepository } from '../customers/customer.repository';
import { InvoiceRepository } from '../invoices/invoice.repository';
import { Clock, SystemClock } from './clock';

/** What several features share: the clock and the repositories (stateless, over the one DataSource). */
@Module({
  providers: [{ provide: Clock, useClass: SystemClock }, InvoiceRepository, CustomerRepository],
  exports: [Clock, InvoiceRepository, CustomerRepository],
})
export class CommonModule {}
