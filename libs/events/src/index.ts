// @duemap/events: the event contracts shared by every service, and nothing else. No
// business rules live here; see proto/README.md for the Kafka record convention.
export * from './calendar-date';
export * from './codec';
export * from './contract-error';
export * from './envelope';
export * from './event-order';
export * from './ingestion-records';
export * from './topics';
export * from './validate';

// Generated protobuf code, flat (`PaymentReceivedSchema`, `ArStatus`) because message names
// are unique across packages (a clash is a compile error here, TS2308, so it cannot slip in
// silently), and one namespace per package for readers who prefer `payments.PaymentReceivedSchema`.
export * from './contracts/common';
export * from './contracts/customers';
export * from './contracts/geocoding';
export * from './contracts/invoicing';
export * from './contracts/notifications';
export * from './contracts/payments';
export * as common from './contracts/common';
export * as customers from './contracts/customers';
export * as geocoding from './contracts/geocoding';
export * as invoicing from './contracts/invoicing';
export * as notifications from './contracts/notifications';
export * as payments from './contracts/payments';
