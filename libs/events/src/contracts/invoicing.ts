// Every generated module of duemap.invoicing.v1, re-exported so callers write `invoicing.XxxSchema`
// without knowing which .proto file declares what.
export * from '../gen/duemap/invoicing/v1/allocation_rejected_pb';
export * from '../gen/duemap/invoicing/v1/invoice_changed_pb';
export * from '../gen/duemap/invoicing/v1/invoice_issued_pb';
export * from '../gen/duemap/invoicing/v1/invoice_overdue_pb';
export * from '../gen/duemap/invoicing/v1/invoice_paid_pb';
export * from '../gen/duemap/invoicing/v1/invoice_pb';
export * from '../gen/duemap/invoicing/v1/invoice_voided_pb';
