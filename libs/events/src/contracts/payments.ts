// Every generated module of duemap.payments.v1, re-exported so callers write `payments.XxxSchema`
// without knowing which .proto file declares what.
export * from '../gen/duemap/payments/v1/payment_pb';
export * from '../gen/duemap/payments/v1/payment_received_pb';
export * from '../gen/duemap/payments/v1/payment_reversed_pb';
export * from '../gen/duemap/payments/v1/refund_issued_pb';
