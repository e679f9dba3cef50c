/**
 * Requests for the property run of e2e/access-control.e2e-spec.ts: built from an operation of the
 * published OpenAPI document, with values that follow its schemas some of the time and are hostile
 * the rest (wrong types, huge strings, control characters and unpaired surrogates, injection
 * strings, path traversal, nulls, deep nesting, big arrays, repeated query parameters).
 */
import fc from 'fast-check';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface OpenApiParameter {
  name: string;
  in: 'query' | 'path' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonObject;
}

export interface OpenApiOperationSpec {
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, { schema?: JsonObject }> };
}

export interface OpenApiSpec {
  paths: Record<string, Record<string, OpenApiOperationSpec>>;
  components?: { schemas?: Record<string, JsonObject> };
}

/** Strings that must come back as data wherever they are sent. */
export const INJECTIONS = [
  "' OR 1=1 --",
  '"; DROP TABLE customers; --',
  "'; SELECT pg_sleep(10); --",
  "1' AND (SELECT count(*) FROM pg_class) > 0 --",
  '{"$gt":""}',
  '{"$where":"sleep(1000)"}',
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '%00',
  '\u0000',
  '%',
  '_',
  '\\',
  '<script>alert(1)</script>',
  '${jndi:ldap://127.0.0.1/a}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  '\ud800',
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  '南山区\u200b',
] as const;

/** encodeURIComponent, which throws on an unpaired surrogate: sent as U+FFFD instead, as a browser would. */
export function encodePathSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return encodeURIComponent(value.replace(/[\ud800-\udfff]/g, '\ufffd'));
  }
}

/** One request, before it is sent: the path filled in, the query (a repeated name is an array), the body. */
export interface HostileRequest {
  operation: string;
  method: string;
  path: string;
  query: [string, string][];
  /** A JSON value, or a raw string sent as is (not JSON). */
  body?: { json: unknown } | { raw: string };
}

const hugeString = fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'A'.repeat(n));

function nested(depth: number, leaf: Json): Json {
  let value: Json = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

/** Anything but what the schema asks for. */
export const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<Json>(...INJECTIONS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: hugeString },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.boolean() },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.integer(),
      fc.constantFrom(-1, 0, 1e308, -1e308, 2 ** 53 + 1, 0.1, -0),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
    ),
  },
  {
    weight: 1,
    // Deeper bodies are sent as text (deepBody): building them as values overflows the stack of
    // whatever serialises them, this test's included.
    arbitrary: fc.integer({ min: 10, max: 200 }).map((d) => nested(d, "' OR 1=1 --")),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 100, max: 50_000 }).map((n) => Array.from({ length: n }, () => 1)),
  },
  {
    weight: 1,
    arbitrary: fc.dictionary(
      fc.string({ maxLength: 10 }),
      fc.jsonValue({ maxDepth: 2 }),
    ) as fc.Arbitrary<Json>,
  },
  // Parsed, not written as a literal: a literal's __proto__ sets the prototype instead of a key.
  {
    weight: 1,
    arbitrary: fc.constant(
      JSON.parse('{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}') as Json,
    ),
  },
);

/** JSON nested `depth` levels deep, as text: `[{"a":[{"a":…}]}]`. */
export const deepBody: fc.Arbitrary<{ raw: string }> = fc
  .integer({ min: 500, max: 100_000 })
  .map((depth) => ({ raw: `${'[{"a":'.repeat(depth)}1${'}]'.repeat(depth)}` }));

/** Query values as they reach the server: strings only, but hostile ones. */
const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...INJECTIONS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 20_000 }).map((n) => 'A'.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '-1', '0', '1e308', 'NaN', 'null', 'true', '[]', '{}') },
);

export interface Known {
  /** Ids that exist (a customer of territory A, its invoice, a payment). */
  customerId: string;
  invoiceId: string;
  paymentId: string;
  sourceSystem: string;
  externalId: string;
}

/**
 * Values that follow the schema, as a client would send them, from a small set so that they also
 * meet the data (the known ids).
 */
export class SchemaValues {
  constructor(
    private readonly document: OpenApiSpec,
    private readonly known: Known,
  ) {}

  resolve(schema: JsonObject): JsonObject {
    const ref = schema['$ref'];
    if (typeof ref === 'string') {
      const name = ref.replace('#/components/schemas/', '');
      const target = this.document.components?.schemas?.[name];
      if (!target) throw new Error(`unresolved ${ref}`);
      return this.resolve(target);
    }
    const allOf = schema['allOf'];
    if (Array.isArray(allOf) && allOf.length > 0) {
      return this.resolve(allOf[0] as JsonObject);
    }
    return schema;
  }

  /** Follows the schema with probability `1 - hostility` at every level. */
  value(schema: JsonObject, hostility: number, depth = 0, name = ''): fc.Arbitrary<Json> {
    const valid = this.valid(this.resolve(schema), hostility, depth, name);
    if (hostility <= 0) return valid;
    const weight = Math.max(1, Math.round((hostility / (1 - hostility)) * 10));
    return fc.oneof({ weight: 10, arbitrary: valid }, { weight, arbitrary: hostileValue });
  }

  private valid(schema: JsonObject, hostility: number, depth: number, name: string): fc.Arbitrary<Json> {
    const oneOf = schema['oneOf'] ?? schema['anyOf'];
    if (Array.isArray(oneOf) && oneOf.length > 0) {
      return fc.oneof(...oneOf.map((s) => this.value(s as JsonObject, hostility, depth + 1, name)));
    }
    const enumValues = schema['enum'];
    if (Array.isArray(enumValues) && enumValues.length > 0) return fc.constantFrom(...enumValues);
    const type = schema['type'];
    const format = schema['format'];
    if (type === 'object' || schema['properties'] !== undefined) {
      if (depth > 4) return fc.constant({});
      const properties = (schema['properties'] ?? {}) as Record<string, JsonObject>;
      const required = new Set((schema['required'] ?? []) as string[]);
      const record: Record<string, fc.Arbitrary<Json>> = {};
      for (const [key, s] of Object.entries(properties))
        record[key] = this.value(s, hostility, depth + 1, key);
      const requiredKeys = Object.keys(properties).filter((key) => required.has(key));
      return fc.record(record, { requiredKeys });
    }
    if (type === 'array') {
      const items = (schema['items'] ?? {}) as JsonObject;
      return fc.array(this.value(items, hostility, depth + 1, name), { maxLength: 3 });
    }
    if (type === 'integer') return fc.integer({ min: 0, max: 300 });
    if (type === 'number') return fc.double({ min: 0, max: 1000, noNaN: true });
    if (type === 'boolean') return fc.boolean();
    if (format === 'uuid') {
      return fc.constantFrom(this.known.customerId, this.known.invoiceId, this.known.paymentId);
    }
    if (format === 'date') return fc.constantFrom('2026-11-01', '2026-12-31', '2027-02-28');
    if (format === 'date-time') return fc.constantFrom(new Date().toISOString(), '2026-12-01T08:00:00+08:00');
    return this.text(name, schema);
  }

  private text(name: string, schema: JsonObject): fc.Arbitrary<Json> {
    if (schema['example'] !== undefined && typeof schema['example'] === 'string') {
      return fc.oneof(fc.constant(schema['example']), fc.string({ minLength: 1, maxLength: 20 }));
    }
    switch (name) {
      case 'amount':
        return fc.constantFrom('1.00', '100.00', '0.01');
      case 'currency':
        return fc.constant('CNY');
      case 'country':
        return fc.constant('CN');
      case 'customerId':
      case 'invoiceId':
        return fc.constantFrom(this.known.customerId, this.known.invoiceId);
      default:
        return fc.string({ minLength: 1, maxLength: 20 });
    }
  }
}

/**
 * Requests for one operation: known path values most of the time (so the call reaches the data),
 * hostile ones otherwise; every query parameter absent, valid, hostile or repeated; the body by its
 * schema at `hostility`, sometimes not JSON at all. `fresh` makes the source keys of an upsert new
 * for each case, so a refused upsert can be checked to have left no record behind.
 */
export function requestsFor(
  document: OpenApiSpec,
  values: SchemaValues,
  known: Known,
  operation: string,
  hostility: number,
): fc.Arbitrary<HostileRequest> {
  const [method = 'GET', template = '/'] = operation.split(' ');
  const spec = document.paths[template]?.[method.toLowerCase()] ?? {};
  const parameters = spec.parameters ?? [];
  const pathValue = (name: string): fc.Arbitrary<string> => {
    const knownValue: Record<string, fc.Arbitrary<string>> = {
      id: fc.constantFrom(known.customerId, known.invoiceId, known.paymentId),
      sourceSystem: fc.oneof(
        fc.constant(known.sourceSystem),
        fc.uuid().map((u) => `fuzz-${u.slice(0, 8)}`),
      ),
      externalId: fc.uuid().map((u) => `F-${u.slice(0, 8)}`),
    };
    return fc.oneof(
      { weight: 4, arbitrary: knownValue[name] ?? fc.constant(known.customerId) },
      { weight: 1, arbitrary: hostileText.filter((s) => s.length > 0) },
    );
  };
  const pathNames = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
  const pathArb = fc.tuple(...pathNames.map(pathValue)).map((vals) => {
    let i = 0;
    return template.replace(/\{(\w+)\}/g, () => encodePathSegment(vals[i++] as string));
  });
  const queryParams = parameters.filter((p) => p.in === 'query');
  const queryArb = fc
    .tuple(
      ...queryParams.map((p) =>
        fc.oneof(
          { weight: 3, arbitrary: fc.constant<[string, string][]>([]) },
          {
            weight: 3,
            arbitrary: values
              .value(p.schema ?? { type: 'string' }, 0, 0, p.name)
              .map((v): [string, string][] => [[p.name, typeof v === 'string' ? v : JSON.stringify(v)]]),
          },
          { weight: 3, arbitrary: hostileText.map((v): [string, string][] => [[p.name, v]]) },
          {
            weight: 1,
            arbitrary: fc
              .array(hostileText, { minLength: 2, maxLength: 4 })
              .map((vs): [string, string][] => vs.map((v) => [p.name, v])),
          },
        ),
      ),
    )
    .map((parts) => parts.flat());
  const bodySchema = spec.requestBody?.content?.['application/json']?.schema;
  const bodyArb: fc.Arbitrary<HostileRequest['body']> = bodySchema
    ? fc.oneof(
        { weight: 12, arbitrary: values.value(bodySchema, hostility).map((json) => ({ json })) },
        { weight: 1, arbitrary: hostileValue.map((json) => ({ json })) },
        { weight: 1, arbitrary: deepBody },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom('{"name": ', '[1,2', 'not json', '{"a":1}}', '\u0000')
            .map((raw) => ({ raw })),
        },
      )
    : fc.constant(undefined);
  return fc.record({ path: pathArb, query: queryArb, body: bodyArb }).map((r) => ({
    operation,
    method,
    path: r.path,
    query: r.query,
    body: r.body,
  }));
}

/** Every query parameter and request body of the document, for the report of what was covered. */
export function inputsOf(document: OpenApiSpec): string[] {
  const inputs: string[] = [];
  for (const [template, item] of Object.entries(document.paths)) {
    for (const [method, spec] of Object.entries(item)) {
      const operation = `${method.toUpperCase()} ${template}`;
      for (const p of spec.parameters ?? []) if (p.in === 'query') inputs.push(`${operation} ?${p.name}`);
      if (spec.requestBody?.content?.['application/json']) inputs.push(`${operation} body`);
    }
  }
  return inputs;
}
