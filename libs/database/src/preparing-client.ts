import { createHash } from 'node:crypto';
import { Client, type QueryConfig } from 'pg';

/** Distinct statements one connection keeps prepared; beyond this they run unnamed as before. */
const MAX_PREPARED_PER_CONNECTION = 500;

/**
 * A pg client that runs parameterised statements as named prepared statements, one per distinct
 * SQL text and connection: Postgres parses and plans a statement the first time a connection runs
 * it, not every time (about a third of a short statement's cost on the build machine, on both
 * sides). The name is a hash of the text, so equal texts share it and different texts cannot.
 * Statements without parameters (BEGIN, COMMIT, DDL) and anything already named pass through.
 *
 * Given to TypeORM through the pool's `Client` option (`extra: { Client: PreparingClient }`).
 */
export class PreparingClient extends Client {
  /** Names this connection has prepared (its statements live as long as the connection). */
  readonly prepared = new Set<string>();
}

// Assigned on the prototype rather than declared as an override, so that the class keeps pg's
// overloaded `query` signatures for its callers.
const unnamedQuery = (Client.prototype as unknown as { query: (this: Client, ...args: unknown[]) => unknown })
  .query;
(PreparingClient.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (
  this: PreparingClient,
  ...args: unknown[]
): unknown {
  const named = withName(this.prepared, args[0], args[1]);
  return unnamedQuery.apply(this, named === undefined ? args : [named, ...args.slice(2)]);
};

function withName(prepared: Set<string>, config: unknown, values: unknown): QueryConfig | undefined {
  let text: string;
  let params: unknown;
  if (typeof config === 'string') {
    text = config;
    params = values;
  } else if (isPlainConfig(config)) {
    text = config.text;
    params = config.values ?? values;
  } else {
    return undefined;
  }
  if (!Array.isArray(params) || params.length === 0) return undefined;
  const name = statementName(text);
  if (!prepared.has(name)) {
    if (prepared.size >= MAX_PREPARED_PER_CONNECTION) return undefined;
    prepared.add(name);
  }
  return { ...(typeof config === 'string' ? {} : config), name, text, values: params };
}

// A service has a few dozen distinct statement texts; hashing each one once saves a SHA-1 per query.
const names = new Map<string, string>();

function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `duemap_${createHash('sha1').update(text).digest('base64url')}`;
    // Texts built with varying literals would grow the map without end: past the bound, hash anew.
    if (names.size < 10 * MAX_PREPARED_PER_CONNECTION) names.set(text, name);
  }
  return name;
}

function isPlainConfig(config: unknown): config is QueryConfig {
  return (
    typeof config === 'object' &&
    config !== null &&
    typeof (config as { text?: unknown }).text === 'string' &&
    (config as { name?: unknown }).name === undefined &&
    typeof (config as { submit?: unknown }).submit !== 'function'
  );
}
