import { classifyError, describeError, FatalEventError } from './consumer.errors';

class ContractError extends Error {
  override name = 'ContractError';
}

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

  it('describes errors with their name', () => {
    expect(describeError(new FatalEventError('nope'))).toBe('FatalEventError: nope');
    expect(describeError(42)).toBe('42');
  });
});
