import { OPERATION_PERMISSIONS, type Permission } from './permissions';

/** An operation of the API matched from a request: its key in the matrix, and its path parameters. */
export interface MatchedOperation {
  /** `GET /api/v1/customers/{id}` */
  key: string;
  permission: Permission;
  params: Readonly<Record<string, string>>;
}

interface CompiledOperation {
  key: string;
  method: string;
  permission: Permission;
  pattern: RegExp;
  names: string[];
  /** Literal segments first: `/customers/by-source/{s}/{e}` wins over `/customers/{id}`. */
  literals: number;
}

function compile(key: string, permission: Permission): CompiledOperation {
  const space = key.indexOf(' ');
  const method = key.slice(0, space);
  const template = key.slice(space + 1);
  const names: string[] = [];
  let literals = 0;
  const source = template
    .split('/')
    .map((segment) => {
      const param = /^\{([A-Za-z][A-Za-z0-9]*)\}$/.exec(segment);
      if (param?.[1]) {
        names.push(param[1]);
        return '([^/]+)';
      }
      literals += 1;
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { key, method, permission, pattern: new RegExp(`^${source}/?$`), names, literals };
}

const COMPILED: readonly CompiledOperation[] = Object.entries(OPERATION_PERMISSIONS)
  .map(([key, permission]) => compile(key, permission))
  .sort((a, b) => b.literals - a.literals);

/**
 * The operation a request is for, by method and path (query string ignored), or undefined when
 * the matrix does not know it: such a request is refused, never let through.
 */
export function matchOperation(method: string, url: string): MatchedOperation | undefined {
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  const verb = method === 'HEAD' ? 'GET' : method;
  for (const operation of COMPILED) {
    if (operation.method !== verb) continue;
    const match = operation.pattern.exec(path);
    if (!match) continue;
    const params: Record<string, string> = {};
    operation.names.forEach((name, i) => {
      const raw = match[i + 1] ?? '';
      try {
        params[name] = decodeURIComponent(raw);
      } catch {
        params[name] = raw;
      }
    });
    return { key: operation.key, permission: operation.permission, params };
  }
  return undefined;
}

/** Express's route path (`/api/v1/customers/:id`) as the matrix names it (`/api/v1/customers/{id}`). */
export function operationKey(method: string, routePath: string): string {
  return `${method.toUpperCase()} ${routePath.replace(/:([A-Za-z][A-Za-z0-9]*)/g, '{$1}')}`;
}
