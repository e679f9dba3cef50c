import { loadConfig } from '@duemap/config';
import { previewOpenApiDocument, untypedSchemas } from '@duemap/http';
import { testLogger } from '@duemap/testing';
import { AppModule } from './app.module';
import { notificationsConfig } from './config';

describe('notifications OpenAPI document', () => {
  it('gives every property a type a generated client can use (no bare {"type":"object"})', async () => {
    const config = loadConfig(notificationsConfig, {}, { service: 'notifications' });
    const document = await previewOpenApiDocument(AppModule.register(config, testLogger()), {
      title: 'Duemap notifications',
    });
    expect(untypedSchemas(document)).toEqual([]);
  });
});
