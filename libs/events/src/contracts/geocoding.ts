// Every generated module of duemap.geocoding.v1, re-exported so callers write `geocoding.XxxSchema`
// without knowing which .proto file declares what.
export * from '../gen/duemap/geocoding/v1/customer_geocoded_pb';
export * from '../gen/duemap/geocoding/v1/geocode_failed_pb';
export * from '../gen/duemap/geocoding/v1/geocode_pb';
