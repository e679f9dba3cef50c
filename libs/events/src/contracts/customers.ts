// Every generated module of duemap.customers.v1, re-exported so callers write `customers.XxxSchema`
// without knowing which .proto file declares what.
export * from '../gen/duemap/customers/v1/address_changed_pb';
export * from '../gen/duemap/customers/v1/balance_changed_pb';
export * from '../gen/duemap/customers/v1/credit_rating_changed_pb';
export * from '../gen/duemap/customers/v1/customer_pb';
export * from '../gen/duemap/customers/v1/customer_upserted_pb';
export * from '../gen/duemap/customers/v1/status_changed_pb';
