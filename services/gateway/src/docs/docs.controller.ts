import { Controller, Get, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CONFIG } from '@duemap/config';
import type { GatewayConfig } from '../config';
import { serviceUrls, type ServiceName } from '../routing/routes';
import { mergeOpenApi, publicApiOnly, type OpenApiDocument } from './openapi-merge';

/** Serves the merged OpenAPI document that Swagger UI at /api/docs shows. */
@ApiExcludeController()
@Controller('api')
export class DocsController {
  private cached?: { at: number; document: OpenApiDocument };
  private gatewayDocument?: () => OpenApiDocument;

  constructor(@Inject(CONFIG) private readonly config: GatewayConfig) {}

  /**
   * The gateway's own operations (api-keys, me, audit): its Swagger document, built over the whole
   * gateway app by createGateway, which holds the app (a controller cannot reach it).
   */
  includeGatewayDocument(build: () => OpenApiDocument): void {
    this.gatewayDocument = build;
    this.cached = undefined;
  }

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
    const parts: { service: string; document: OpenApiDocument }[] = results.flatMap((r) =>
      r.document ? [{ service: r.service, document: r.document }] : [],
    );
    // Last, so that a schema name the gateway shares with a service is the one renamed.
    if (this.gatewayDocument)
      parts.push({ service: 'gateway', document: publicApiOnly(this.gatewayDocument()) });
    const document = mergeOpenApi(
      parts,
      results.filter((r) => !r.document).map((r) => r.service),
    );
    if (results.every((r) => r.document)) this.cached = { at: Date.now(), document };
    return document;
  }
}
