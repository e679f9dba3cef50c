import { classifyError, describeError, FatalEventError } from './consumer.errors';

class ContractError extends Error {
  override name = 'ContractError';
}

const withCode = (code: string, message = `failed with ${code}`): Error =>
  Object.assign(new Error(message), { code });
/** What TypeORM throws: a QueryFailedError carrying pg's error. */
const fromDriver = (code: string): Error =>
  Object.assign(new Error('query failed'), { name: 'QueryFailedError', driverError: { code } });

describe('classifyError', () => {
  it.each([
    [new FatalEventError('invoice is void'), 'fatal'],
    [new ContractError('bad bytes'), 'fatal'],
    [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      'infrastructure',
    ],
    [Object.assign(new Error('terminating connection'), { code: '57P01' }), 'infrastructure'],
    [Object.assign(new Error('query failed'), { driverError: { code: '08006' } }), 'infrastructure'],
    [new Error('Connection terminated unexpectedly'), 'infrastructure'],
    [Object.assign(new Error('duplicate key'), { code: '23505' }), 'retryable'],
    [new TypeError('x is undefined'), 'retryable'],
    ['a string', 'retryable'],
  ])('%s is %s', (err, kind) => {
    expect(classifyError(err)).toBe(kind);
  });

  // The store is away, full, read-only or out of time: not the message's fault, so it must never be
  // dead-lettered (a failover would otherwise park an invoice-paid for good). Each row is one way
  // Postgres, pg or the network says so.
  const storeOutages: [string, string][] = [
    // Network, from Node's sockets and DNS.
    ['ECONNREFUSED', 'nothing listens on the port'],
    ['ECONNRESET', 'the server dropped the connection'],
    ['ECONNABORTED', 'the connection was aborted'],
    ['ETIMEDOUT', 'the connection timed out'],
    ['EPIPE', 'wrote to a closed connection'],
    ['ENOTFOUND', 'the host name does not resolve'],
    ['EAI_AGAIN', 'DNS failed for now (the name server is away)'],
    ['EHOSTUNREACH', 'no route to the host'],
    ['EHOSTDOWN', 'the host is down'],
    ['ENETUNREACH', 'no route to the network'],
    ['ENETDOWN', 'the network is down'],
    // Postgres class 08: connection exception.
    ['08000', 'connection_exception'],
    ['08001', 'sqlclient_unable_to_establish_sqlconnection'],
    ['08003', 'connection_does_not_exist'],
    ['08004', 'sqlserver_rejected_establishment_of_sqlconnection'],
    ['08006', 'connection_failure'],
    // Class 25: a read-only server after a failover; a session ended for idling in a transaction.
    ['25006', 'read_only_sql_transaction'],
    ['25P03', 'idle_in_transaction_session_timeout'],
    // Class 28: credentials rotated under a running service.
    ['28000', 'invalid_authorization_specification'],
    ['28P01', 'invalid_password'],
    // Class 53: insufficient resources.
    ['53000', 'insufficient_resources'],
    ['53100', 'disk_full'],
    ['53200', 'out_of_memory'],
    ['53300', 'too_many_connections'],
    ['53400', 'configuration_limit_exceeded'],
    // Timeouts the service sets on its sessions (DATABASE_*_TIMEOUT).
    ['55P03', 'lock_not_available (lock_timeout)'],
    ['57014', 'query_canceled (statement_timeout, pg_cancel_backend)'],
    // Class 57: operator intervention.
    ['57P01', 'admin_shutdown'],
    ['57P02', 'crash_shutdown'],
    ['57P03', 'cannot_connect_now (starting up, shutting down, in recovery)'],
    ['57P04', 'database_dropped'],
    ['57P05', 'idle_session_timeout'],
    // Class 58: the server's disk failed under it.
    ['58000', 'system_error'],
    ['58030', 'io_error'],
  ];

  it.each(storeOutages)('%s (%s) is infrastructure, thrown by pg or through TypeORM', (code) => {
    expect(classifyError(withCode(code))).toBe('infrastructure');
    expect(classifyError(fromDriver(code))).toBe('infrastructure');
  });

  it.each([
    ['timeout exceeded when trying to connect', 'pg-pool: no connection free within its acquire timeout'],
    ['Connection terminated due to connection timeout', 'pg: the server did not answer the connect'],
    ['Connection terminated unexpectedly', 'pg: the server closed the socket'],
    ['Query read timeout', "pg: no answer within the client's query_timeout"],
    ['Client has encountered a connection error and is not queryable', 'pg: a client after a socket error'],
  ])('"%s" (%s) is infrastructure', (message) => {
    expect(classifyError(new Error(message))).toBe('infrastructure');
  });

  it('looks through the causes and the errors an error wraps', () => {
    expect(classifyError(new Error('apply failed', { cause: withCode('53300') }))).toBe('infrastructure');
    // Node's happy-eyeballs connect fails with one error per address tried.
    expect(
      classifyError(
        new AggregateError([withCode('ECONNREFUSED'), withCode('ENETUNREACH')], 'connect failed'),
      ),
    ).toBe('infrastructure');
    expect(classifyError(new Error('apply failed', { cause: withCode('23505') }))).toBe('retryable');
  });

  // Retrying in a new transaction resolves these; past maxAttempts something is wrong with the message.
  it.each([
    ['40001', 'serialization_failure'],
    ['40P01', 'deadlock_detected'],
    ['23505', 'unique_violation'],
    ['23503', 'foreign_key_violation'],
    ['22P02', 'invalid_text_representation'],
    // A message pg cannot even send (e.g. more than 65,535 parameters) fails the same way every time.
    ['08P01', 'protocol_violation'],
    ['XX000', 'internal_error'],
  ])('%s (%s) stays retryable', (code) => {
    expect(classifyError(withCode(code))).toBe('retryable');
    expect(classifyError(fromDriver(code))).toBe('retryable');
  });

  it('describes errors with their name', () => {
    expect(describeError(new FatalEventError('nope'))).toBe('FatalEventError: nope');
    expect(describeError(42)).toBe('42');
  });
});
