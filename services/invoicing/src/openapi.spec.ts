import { loadConfig } from '@duemap/config';
import { previewOpenApiDocument, untypedSchemas } from '@duemap/http';
import { testLogger } from '@duemap/testing';
import { AppModule } from './app.module';
import { invoicingConfig } from './config';

describe('invoicing OpenAPI document', () => {
  it('gives every property a type a generated client can use (no bare {"type":"object"})', async () => {
    const config = loadConfig(invoicingConfig, {}, { service: 'invoicing' });
    const document = await previewOpenApiDocument(AppModule.register(config, testLogger()), {
      title: 'Duemap invoicing',
    });
    expect(untypedSchemas(document)).toEqual([]);
  });
});
