/** The parts of an OpenAPI 3 document the merge touches. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, unknown>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
  tags?: { name: string; description?: string }[];
  security?: Record<string, string[]>[];
}

/**
 * One document for the whole public API: every service's paths (they do not overlap: each
 * service owns its /api/v1 resources) and schemas. A schema name used by two services with
 * different shapes is kept once per service, prefixed, so neither is silently replaced.
 */
export function mergeOpenApi(
  parts: { service: string; document: OpenApiDocument }[],
  unavailable: string[] = [],
): OpenApiDocument {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  const tags = new Map<string, { name: string; description?: string }>();
  for (const { service, document } of parts) {
    let text = JSON.stringify(document.paths ?? {});
    for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
      const existing = schemas[name];
      if (existing === undefined || JSON.stringify(existing) === JSON.stringify(schema)) {
        schemas[name] = schema;
      } else {
        const renamed = `${service}.${name}`;
        schemas[renamed] = schema;
        text = text.split(`"#/components/schemas/${name}"`).join(`"#/components/schemas/${renamed}"`);
      }
    }
    Object.assign(paths, JSON.parse(text) as Record<string, unknown>);
    for (const tag of document.tags ?? []) tags.set(tag.name, tag);
  }
  const missing = unavailable.length
    ? `\n\nNot reachable when this document was built: ${unavailable.join(', ')}.`
    : '';
  return {
    openapi: '3.0.0',
    info: {
      title: 'Duemap API',
      version: '1',
      description: `Accounts receivable: customers, invoices, payments, the map and reminders. Errors are {"error":{"code","message","details"}}.${missing}`,
    },
    paths,
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
    tags: [...tags.values()],
    security: [{ bearer: [] }],
  };
}
