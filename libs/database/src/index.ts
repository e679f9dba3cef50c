// How services talk to Postgres, below TypeORM: statements prepared per connection, bounded
// waits on every connection, and group commit of concurrent requests into one transaction.
export * from './preparing-client';
export * from './connection-limits';
export * from './group-commit';
