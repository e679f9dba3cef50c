import { loadConfig } from '@duemap/config';
import { previewOpenApiDocument, untypedSchemas } from '@duemap/http';
import { testLogger } from '@duemap/testing';
import { AppModule } from './app.module';
import { customersConfig } from './config';

describe('customers OpenAPI document', () => {
  it('gives every property a type a generated client can use (no bare {"type":"object"})', async () => {
    const config = loadConfig(customersConfig, {}, { service: 'customers' });
    const document = await previewOpenApiDocument(AppModule.register(config, testLogger()), {
      title: 'Duemap customers',
    });
    expect(untypedSchemas(document)).toEqual([]);
  });
});
