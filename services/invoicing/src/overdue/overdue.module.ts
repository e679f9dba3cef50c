import { Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module';
import { OverdueScanJob } from './overdue-scan.job';
import { MarkOverdueInvoicesUseCase } from './usecases/mark-overdue-invoices.usecase';

@Module({
  imports: [CommonModule],
  providers: [MarkOverdueInvoicesUseCase, OverdueScanJob],
})
export class OverdueModule {}
