import { isApiPath } from './api.forwarder';

describe('isApiPath', () => {
  it.each(['/api/v1', '/api/v1/', '/api/v1/payments', '/api/v1?x=1', '/api/v1/nothing-here'])(
    '%s is the forwarder’s',
    (url) => expect(isApiPath(url)).toBe(true),
  );

  it.each(['/api/v10/payments', '/api/v1x', '/api/docs', '/api/openapi.json', '/health', '/metrics', '/'])(
    '%s is left to Nest',
    (url) => expect(isApiPath(url)).toBe(false),
  );
});
