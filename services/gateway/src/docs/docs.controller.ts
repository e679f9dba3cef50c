import { Controller, Get, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CONFIG } from '@duemap/config';
import type { GatewayConfig } from '../config';
import { serviceUrls, type ServiceName } from '../routing/routes';
import { mergeOpenApi, type OpenApiDocument } from './openapi-merge';

/** Serves the merged OpenAPI document that Swagger UI at /api/docs shows. */
@ApiExcludeController()
@Controller('api')
export class DocsController {
  private cached?: { at: number; document: OpenApiDocument };

  constructor(@Inject(CONFIG) private readonly config: GatewayConfig) {}

  @Get('openapi.json')
  async openApi(): Promise<OpenApiDocument> {
    if (this.cached && Date.now() - this.cached.at < 10_000) return this.cached.document;
    const services = Object.entries(serviceUrls(this.config)) as [ServiceName, string][];
    const results = await Promise.all(
      services.map(async ([service, url]) => {
        try {
          const res = await fetch(`${url}/api/docs-json`, { signal: AbortSignal.timeout(2000) });
          if (!res.ok) return { service };
          return { service, document: (await res.json()) as OpenApiDocument };
        } catch {
          return { service };
        }
      }),
    );
    const parts = results.flatMap((r) => (r.document ? [{ service: r.service, document: r.document }] : []));
    const document = mergeOpenApi(
      parts,
      results.filter((r) => !r.document).map((r) => r.service),
    );
    if (parts.length === services.length) this.cached = { at: Date.now(), document };
    return document;
  }
}
