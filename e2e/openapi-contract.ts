import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { ApiClient, ApiResponse } from './api-client';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface OpenApiOperation {
  responses?: Record<string, { content?: Record<string, { schema?: JsonObject }> }>;
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonObject> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const COMPONENTS = '#/components/schemas/';
const DOCUMENT_ID = 'urn:duemap:openapi';

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An OpenAPI 3.0 schema as a JSON Schema that ajv checks a response body against.
 * - `nullable: true` admits null whatever else the schema says: that is how clients generated from
 *   the document read it (`nullable` beside `allOf: [$ref]` is how @nestjs/swagger writes a
 *   nullable object, and beside `enum` a nullable enum), though OpenAPI 3.0.3 reads it more strictly.
 * - An object that lists its properties lists all of them: a field the document does not name is
 *   a field a generated client drops.
 * - References point into the document's components, registered with ajv under DOCUMENT_ID.
 */
function toJsonSchema(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (!isObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable') continue;
    if (key === '$ref' && typeof value === 'string' && value.startsWith(COMPONENTS)) {
      out[key] = `${DOCUMENT_ID}#/$defs/${value.slice(COMPONENTS.length)}`;
    } else if (key === 'properties' && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, toJsonSchema(s)]));
    } else if (key === 'example' || key === 'enum' || key === 'default') {
      out[key] = value;
    } else {
      out[key] = toJsonSchema(value);
    }
  }
  if (isObject(schema['properties']) && schema['additionalProperties'] === undefined) {
    out['additionalProperties'] = false;
  }
  return schema['nullable'] === true ? { anyOf: [{ type: 'null' }, out] } : out;
}

function explain(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => {
      const extra =
        e.keyword === 'additionalProperties' ? ` (${String(e.params['additionalProperty'])})` : '';
      return `${e.instancePath || '(body)'} ${e.message ?? ''}${extra}`;
    })
    .join('; ');
}

/**
 * Calls the public API by the operations of its published OpenAPI document and checks every JSON
 * answer against the schema the document gives for that operation and status. Remembers which
 * documented responses were seen, so a spec can require that each was met at least once.
 */
export class ResponseContract {
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly seen = new Set<string>();
  readonly problems: string[] = [];

  constructor(
    readonly document: OpenApiDocument,
    private readonly api: ApiClient,
  ) {
    this.ajv = new Ajv({ strict: true, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addKeyword('example');
    const defs = Object.fromEntries(
      Object.entries(document.components?.schemas ?? {}).map(([name, s]) => [name, toJsonSchema(s)]),
    );
    this.ajv.addSchema({ $id: DOCUMENT_ID, $defs: defs });
  }

  /** Every documented (operation, status) with a JSON body: `GET /api/v1/customers/{id} 200`. */
  documentedResponses(filter: (status: number) => boolean): string[] {
    const all: string[] = [];
    for (const [template, item] of Object.entries(this.document.paths)) {
      for (const method of METHODS) {
        for (const [status, response] of Object.entries(item[method]?.responses ?? {})) {
          if (response.content?.['application/json']?.schema && filter(Number(status))) {
            all.push(`${method.toUpperCase()} ${template} ${status}`);
          }
        }
      }
    }
    return all.sort();
  }

  /** The documented responses not yet met. */
  unseen(filter: (status: number) => boolean): string[] {
    return this.documentedResponses(filter).filter((r) => !this.seen.has(r));
  }

  /**
   * Sends the operation (`GET /api/v1/invoices/{id}`, its path parameters filled in from `params`)
   * and checks the answer; a mismatch is kept in `problems` with the body, so one run names them all.
   */
  async call<T>(
    operation: string,
    params: Record<string, string> = {},
    options: { query?: Record<string, string>; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const [method = '', template = ''] = operation.split(' ');
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = params[name];
      if (value === undefined) throw new Error(`${operation}: no value for {${name}}`);
      return encodeURIComponent(value);
    });
    const query = options.query ? `?${new URLSearchParams(options.query).toString()}` : '';
    const res = await this.api.request<T>(method, `${path}${query}`, options.body, options.headers);
    this.check(method, template, res);
    return res;
  }

  private check(method: string, template: string, res: ApiResponse): void {
    const key = `${method} ${template} ${res.status}`;
    const operation = this.document.paths[template]?.[method.toLowerCase()];
    if (operation === undefined) {
      this.problems.push(`${method} ${template} is not in the document`);
      return;
    }
    const response = operation.responses?.[String(res.status)];
    if (response === undefined) {
      this.problems.push(`${key}: status not documented; body ${JSON.stringify(res.body)}`);
      return;
    }
    const events = response.content?.['text/event-stream']?.schema;
    if (events !== undefined) {
      // A server-sent event stream: each `data:` line is one JSON value of the documented schema.
      this.checkEach(key, events, typeof res.body === 'string' ? dataLinesOf(res.body) : [res.body]);
      return;
    }
    const schema = response.content?.['application/json']?.schema;
    if (schema === undefined) {
      if (res.body !== undefined) this.problems.push(`${key}: body sent but no schema documented`);
      this.seen.add(key);
      return;
    }
    this.checkEach(key, schema, [res.body]);
  }

  private checkEach(key: string, schema: Json, bodies: readonly unknown[]): void {
    let validate = this.validators.get(key);
    if (validate === undefined) {
      try {
        validate = this.ajv.compile(toJsonSchema(schema) as JsonObject);
      } catch (err) {
        // Strict mode refuses a schema that contradicts itself, e.g. `format` on an object.
        this.problems.push(`${key}: the schema is not usable: ${(err as Error).message}`);
        return;
      }
      this.validators.set(key, validate);
    }
    for (const body of bodies) {
      if (!validate(body)) {
        this.problems.push(`${key}: ${explain(validate.errors)}; body ${JSON.stringify(body)}`);
      }
    }
    this.seen.add(key);
  }
}

/** The `data:` lines of a server-sent event stream, each parsed as JSON (text that is not stays text). */
function dataLinesOf(stream: string): unknown[] {
  return stream
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => {
      const text = line.slice('data:'.length).trim();
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    });
}
