/** The parts of an OpenAPI 3 document the merge touches. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, unknown>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
  tags?: { name: string; description?: string }[];
  security?: Record<string, string[]>[];
}

const SCHEMA_REF = '#/components/schemas/';

/** The value with every `$ref` to a renamed schema pointing at its new name. */
function renameRefs<T>(value: T, renames: ReadonlyMap<string, string>): T {
  if (renames.size === 0) return value;
  return JSON.parse(JSON.stringify(value), (key, v: unknown) => {
    if (key !== '$ref' || typeof v !== 'string' || !v.startsWith(SCHEMA_REF)) return v;
    const renamed = renames.get(v.slice(SCHEMA_REF.length));
    return renamed === undefined ? v : `${SCHEMA_REF}${renamed}`;
  }) as T;
}

/**
 * One document for the whole public API: every service's paths (they do not overlap: each
 * service owns its /api/v1 resources) and schemas. A schema name used by two services with
 * different shapes is kept once per service, prefixed, so neither is silently replaced; the
 * service's paths and its other schemas then refer to its own version. A schema whose only
 * difference is a schema it refers to is kept once per service too, so the renames repeat until
 * nothing more differs.
 */
export function mergeOpenApi(
  parts: { service: string; document: OpenApiDocument }[],
  unavailable: string[] = [],
): OpenApiDocument {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  const tags = new Map<string, { name: string; description?: string }>();
  for (const { service, document } of parts) {
    const own = document.components?.schemas ?? {};
    const renames = new Map<string, string>();
    for (let renamed = true; renamed;) {
      renamed = false;
      for (const [name, schema] of Object.entries(own)) {
        const existing = schemas[name];
        if (renames.has(name) || existing === undefined) continue;
        if (JSON.stringify(existing) !== JSON.stringify(renameRefs(schema, renames))) {
          renames.set(name, `${service}.${name}`);
          renamed = true;
        }
      }
    }
    for (const [name, schema] of Object.entries(own)) {
      schemas[renames.get(name) ?? name] = renameRefs(schema, renames);
    }
    Object.assign(paths, renameRefs(document.paths ?? {}, renames));
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
