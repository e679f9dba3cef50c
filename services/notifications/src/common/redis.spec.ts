import { redisOptionsFromUrl } from './redis';

describe('redisOptionsFromUrl', () => {
  it('reads host and port', () => {
    expect(redisOptionsFromUrl('redis://127.0.0.1:6379')).toEqual({ host: '127.0.0.1', port: 6379 });
  });

  it('reads credentials, database and TLS', () => {
    expect(redisOptionsFromUrl('rediss://app:p%40ss@cache.internal:6380/2')).toEqual({
      host: 'cache.internal',
      port: 6380,
      username: 'app',
      password: 'p@ss',
      db: 2,
      tls: {},
    });
  });

  it('defaults the port', () => {
    expect(redisOptionsFromUrl('redis://cache')).toEqual({ host: 'cache', port: 6379 });
  });
});
