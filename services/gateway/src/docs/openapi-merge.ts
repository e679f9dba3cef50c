import { OPERATION_PERMISSIONS } from '@duemap/auth';

/** The parts of an OpenAPI 3 document the merge touches. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, unknown>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Readonly<Record<string, unknown>> };
  tags?: { name: string; description?: string }[];
  security?: Record<string, readonly string[]>[];
}

const SCHEMA_REF = '#/components/schemas/';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

/**
 * How a caller proves who it is: a bearer JWT (people, client-credential tokens) or an API key
 * (machines). `Authorization: ApiKey <key>` works as well as the X-Api-Key header, but OpenAPI
 * can describe only one header per scheme.
 */
export const SECURITY_SCHEMES = {
  bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
  apiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Api-Key',
    description: 'dm_<id>_<secret>; also accepted as `Authorization: ApiKey <key>`.',
  },
} as const;

/** Either scheme admits a caller; the operation's permission (`x-permission`) decides the rest. */
export const OPERATION_SECURITY: Record<string, string[]>[] = [{ bearer: [] }, { apiKey: [] }];

function isPublicApi(path: string): boolean {
  return path === '/api/v1' || path.startsWith('/api/v1/');
}

/** The document with only its public API (`/api/v1...`): the gateway's own docs, health and sign-in pages stay out. */
export function publicApiOnly(document: OpenApiDocument): OpenApiDocument {
  const paths = Object.fromEntries(
    Object.entries(document.paths ?? {}).filter(([path]) => isPublicApi(path)),
  );
  return { ...document, paths };
}

/**
 * Every operation of the public API states how to authenticate (`security`) and the permission of the matrix it
 * needs (`x-permission`, absent when the matrix lacks the operation: the gateway refuses it).
 */
function secureOperations(paths: Record<string, unknown>, errorSchema: unknown): Record<string, unknown> {
  const refusal = (description: string): Record<string, unknown> => ({
    description,
    ...(errorSchema ? { content: { 'application/json': { schema: errorSchema } } } : {}),
  });
  // What admission answers before any service sees the call, on every operation alike.
  const refusals: Record<string, unknown> = {
    '401': refusal('UNAUTHENTICATED: no credentials, or a token or API key that is not valid'),
    '403': refusal('FORBIDDEN: the caller lacks the permission named by x-permission'),
    '429': refusal('RATE_LIMITED: too many requests from this address or principal (Retry-After)'),
  };
  const secured: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(paths)) {
    if (typeof value !== 'object' || value === null || !isPublicApi(path)) {
      secured[path] = value;
      continue;
    }
    const item: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const method of METHODS) {
      const operation = item[method];
      if (typeof operation !== 'object' || operation === null) continue;
      const permission = OPERATION_PERMISSIONS[`${method.toUpperCase()} ${path}`];
      const own = operation as Record<string, unknown>;
      item[method] = {
        ...own,
        responses: { ...refusals, ...(own.responses as Record<string, unknown> | undefined) },
        security: OPERATION_SECURITY,
        ...(permission ? { 'x-permission': permission } : {}),
      };
    }
    secured[path] = item;
  }
  return secured;
}

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
      description: `Accounts receivable: customers, invoices, payments, the map and reminders. Errors are {"error":{"code","message","details"}}. Every operation needs a bearer token or an API key (securitySchemes) and the permission named by its x-permission.${missing}`,
    },
    paths: secureOperations(
      paths,
      schemas.ErrorResponseDto === undefined ? undefined : { $ref: `${SCHEMA_REF}ErrorResponseDto` },
    ),
    components: { schemas, securitySchemes: SECURITY_SCHEMES },
    tags: [...tags.values()],
    security: OPERATION_SECURITY,
  };
}
