import { PaymentsErrorCode } from './payments.exception';
import { fetchFromService, joinUrl } from './service-client';

const parse = (body: unknown): string => (body as { id: string }).id;

describe('fetchFromService', () => {
  const fetchMock = jest.spyOn(global, 'fetch');
  afterAll(() => fetchMock.mockRestore());

  it('returns the parsed body of a 200', async () => {
    fetchMock.mockResolvedValueOnce(new Response(JSON.stringify({ id: 'c1' }), { status: 200 }));
    await expect(fetchFromService('customers', 'http://x/c1', 100, parse)).resolves.toEqual({
      found: true,
      value: 'c1',
    });
  });

  it.each([404, 400])('reads %i as not found', async (status) => {
    fetchMock.mockResolvedValueOnce(new Response('{}', { status }));
    await expect(fetchFromService('customers', 'http://x/c1', 100, parse)).resolves.toEqual({ found: false });
  });

  it.each([
    ['a refused connection', () => Promise.reject(new TypeError('fetch failed'))],
    ['a 500', () => Promise.resolve(new Response('oops', { status: 500 }))],
    ['a body that is not JSON', () => Promise.resolve(new Response('<html>', { status: 200 }))],
    ['a body the parser refuses', () => Promise.resolve(new Response('{}', { status: 200 }))],
  ])('answers 503 DEPENDENCY_UNAVAILABLE for %s', async (_name, answer) => {
    fetchMock.mockImplementationOnce(answer);
    const strict = (body: unknown): string => {
      const id = (body as { id?: unknown }).id;
      if (typeof id !== 'string') throw new Error('no id');
      return id;
    };
    await expect(fetchFromService('customers', 'http://x/c1', 100, strict)).rejects.toMatchObject({
      code: PaymentsErrorCode.DependencyUnavailable,
      status: 503,
    });
  });

  it('joins base URLs with or without a trailing slash', () => {
    expect(joinUrl('http://h:1/', '/api')).toBe('http://h:1/api');
    expect(joinUrl('http://h:1', '/api')).toBe('http://h:1/api');
  });
});
