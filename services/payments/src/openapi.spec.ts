import { loadConfig } from '@duemap/config';
import { previewOpenApiDocument, untypedSchemas } from '@duemap/http';
import { testLogger } from '@duemap/testing';
import { AppModule } from './app.module';
import { paymentsConfig } from './config';

describe('payments OpenAPI document', () => {
  it('gives every property a type a generated client can use (no bare {"type":"object"})', async () => {
    const config = loadConfig(paymentsConfig, {}, { service: 'payments' });
    const document = await previewOpenApiDocument(AppModule.register(config, testLogger()), {
      title: 'Duemap payments',
    });
    expect(untypedSchemas(document)).toEqual([]);
  });
});
