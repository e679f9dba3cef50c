// Every generated module of duemap.common.v1, re-exported so callers write `common.XxxSchema`
// without knowing which .proto file declares what.
export * from '../gen/duemap/common/v1/calendar_date_pb';
export * from '../gen/duemap/common/v1/envelope_pb';
export * from '../gen/duemap/common/v1/money_pb';
export * from '../gen/duemap/common/v1/postal_address_pb';
export * from '../gen/duemap/common/v1/source_ref_pb';
