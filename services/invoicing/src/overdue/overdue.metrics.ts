import { Counter, register, type Metric } from 'prom-client';

// In prom-client's default registry, which /metrics serves; reused when a spec loads the module twice.
function metric<T extends Metric>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

export const overdueMarked = metric(
  'duemap_invoicing_overdue_marked_total',
  () =>
    new Counter({ name: 'duemap_invoicing_overdue_marked_total', help: 'Invoices the scan marked overdue' }),
);

export const overdueScanErrors = metric(
  'duemap_invoicing_overdue_scan_errors_total',
  () =>
    new Counter({
      name: 'duemap_invoicing_overdue_scan_errors_total',
      help: 'Overdue scan runs that failed',
    }),
);
