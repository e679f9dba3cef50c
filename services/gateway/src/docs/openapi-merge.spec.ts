import { mergeOpenApi, OPERATION_SECURITY, publicApiOnly, type OpenApiDocument } from './openapi-merge';

const doc = (paths: Record<string, unknown>, schemas: Record<string, unknown>): OpenApiDocument => ({
  openapi: '3.0.0',
  info: { title: 'x', version: '1' },
  paths,
  components: { schemas },
});

describe('mergeOpenApi', () => {
  it('unions paths and schemas of the services', () => {
    const merged = mergeOpenApi([
      {
        service: 'payments',
        document: doc({ '/api/v1/payments': { post: {} } }, { Money: { type: 'object' } }),
      },
      {
        service: 'invoicing',
        document: doc({ '/api/v1/invoices/{id}': { get: {} } }, { Money: { type: 'object' } }),
      },
    ]);
    expect(Object.keys(merged.paths).sort()).toEqual(['/api/v1/invoices/{id}', '/api/v1/payments']);
    expect(Object.keys(merged.components?.schemas ?? {})).toEqual(['Money']);
  });

  it('keeps both versions of a schema name two services define differently', () => {
    const ref = { $ref: '#/components/schemas/Item' };
    const merged = mergeOpenApi([
      {
        service: 'payments',
        document: doc({ '/a': { get: ref } }, { Item: { type: 'object', required: ['a'] } }),
      },
      {
        service: 'invoicing',
        document: doc({ '/b': { get: ref } }, { Item: { type: 'object', required: ['b'] } }),
      },
    ]);
    expect(merged.components?.schemas).toHaveProperty('Item');
    expect(merged.components?.schemas).toHaveProperty(['invoicing.Item']);
    expect(merged.paths['/b']).toEqual({ get: { $ref: '#/components/schemas/invoicing.Item' } });
    expect(merged.paths['/a']).toEqual({ get: ref });
  });

  it("points a service's own schemas at its renamed schemas, not at another service's", () => {
    const money = (description: string) => ({ type: 'object', description });
    const invoice = {
      type: 'object',
      properties: { total: { $ref: '#/components/schemas/Money' } },
    };
    const merged = mergeOpenApi([
      { service: 'customers', document: doc({}, { Money: money('customers') }) },
      {
        service: 'invoicing',
        document: doc(
          { '/i': { get: { $ref: '#/components/schemas/Invoice' } } },
          { Money: money('invoicing'), Invoice: invoice },
        ),
      },
    ]);
    expect(merged.components?.schemas?.['Invoice']).toEqual({
      type: 'object',
      properties: { total: { $ref: '#/components/schemas/invoicing.Money' } },
    });
  });

  it('keeps a schema once per service when only what it refers to differs', () => {
    const line = { type: 'object', properties: { amount: { $ref: '#/components/schemas/Money' } } };
    const merged = mergeOpenApi([
      {
        service: 'payments',
        document: doc(
          { '/p': { get: { $ref: '#/components/schemas/Line' } } },
          { Money: { type: 'object', required: ['a'] }, Line: line },
        ),
      },
      {
        service: 'invoicing',
        document: doc(
          { '/i': { get: { $ref: '#/components/schemas/Line' } } },
          { Money: { type: 'object', required: ['b'] }, Line: line },
        ),
      },
    ]);
    expect(merged.paths['/p']).toEqual({ get: { $ref: '#/components/schemas/Line' } });
    expect(merged.paths['/i']).toEqual({ get: { $ref: '#/components/schemas/invoicing.Line' } });
    expect(merged.components?.schemas?.['invoicing.Line']).toEqual({
      type: 'object',
      properties: { amount: { $ref: '#/components/schemas/invoicing.Money' } },
    });
  });

  it('says which services were unreachable', () => {
    expect(mergeOpenApi([], ['geocoding']).info.description).toContain('geocoding');
  });

  it('declares the bearer and API key schemes, and both on every operation with its permission', () => {
    const merged = mergeOpenApi([
      {
        service: 'customers',
        document: doc({ '/api/v1/customers/{id}': { get: { summary: 'one' }, parameters: [] } }, {}),
      },
      {
        service: 'gateway',
        document: doc(
          { '/api/v1/api-keys': { get: {}, post: { security: [] } }, '/api/v1/unknown': { get: {} } },
          {},
        ),
      },
    ]);
    expect(merged.components?.securitySchemes).toEqual({
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      apiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }),
    });
    // Admission's refusals are documented on every operation (no ErrorResponseDto here: no schema).
    const responses = {
      '401': { description: expect.stringMatching(/^UNAUTHENTICATED/) as unknown },
      '403': { description: expect.stringMatching(/^FORBIDDEN/) as unknown },
      '429': { description: expect.stringMatching(/^RATE_LIMITED/) as unknown },
    };
    expect(merged.paths['/api/v1/customers/{id}']).toEqual({
      get: { summary: 'one', responses, security: OPERATION_SECURITY, 'x-permission': 'customers:read' },
      parameters: [],
    });
    expect(merged.paths['/api/v1/api-keys']).toEqual({
      get: { responses, security: OPERATION_SECURITY, 'x-permission': 'api-keys:manage' },
      post: { responses, security: OPERATION_SECURITY, 'x-permission': 'api-keys:manage' },
    });
    // Not in the matrix: documented as secured, with no permission (the gateway refuses it).
    expect(merged.paths['/api/v1/unknown']).toEqual({ get: { responses, security: OPERATION_SECURITY } });
  });

  it("keeps only the public API of the gateway's own document", () => {
    const own = doc(
      { '/api/v1/me': { get: {} }, '/api/v1': { get: {} }, '/auth/login': { post: {} }, '/api/v10': {} },
      {},
    );
    expect(Object.keys(publicApiOnly(own).paths)).toEqual(['/api/v1/me', '/api/v1']);
  });
});
