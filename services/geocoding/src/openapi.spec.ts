import { loadConfig } from '@duemap/config';
import { previewOpenApiDocument, untypedSchemas } from '@duemap/http';
import { testLogger } from '@duemap/testing';
import { AppModule } from './app.module';
import { geocodingConfig } from './config';

describe('geocoding OpenAPI document', () => {
  it('gives every property a type a generated client can use (no bare {"type":"object"})', async () => {
    const config = loadConfig(geocodingConfig, {}, { service: 'geocoding' });
    const document = await previewOpenApiDocument(AppModule.register(config, testLogger()), {
      title: 'Duemap geocoding',
    });
    expect(untypedSchemas(document)).toEqual([]);
  });
});
