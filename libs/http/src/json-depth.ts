/**
 * The deepest nesting of objects and arrays a JSON body may have. Every request DTO of the API is a
 * few levels deep; a body thousands of levels deep parses fine but overflows the stack of the
 * validation and transformation that follow (class-transformer recurses), which was a 500.
 */
export const MAX_JSON_DEPTH = 32;

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The nesting depth of a JSON text (brackets inside strings do not count); no parsing. */
export function jsonDepth(raw: Buffer | string): number {
  const bytes = typeof raw === 'string' ? Buffer.from(raw) : raw;
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
      continue;
    }
    if (byte === QUOTE) inString = true;
    else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) depth--;
  }
  return deepest;
}

/** body-parser's error shape, so ApiExceptionFilter answers it as the 400 it is. */
export class JsonTooDeepError extends Error {
  readonly status = 400;
  readonly statusCode = 400;
  readonly expose = true;
  readonly type = 'entity.too.deep';

  constructor(maxDepth: number) {
    super(`the JSON body is nested deeper than ${maxDepth} levels`);
  }
}

/** body-parser's `verify` option: refuses a body nested deeper than `maxDepth` before it is parsed. */
export function refuseDeepJson(maxDepth = MAX_JSON_DEPTH): (req: unknown, res: unknown, buf: Buffer) => void {
  return (_req, _res, buf) => {
    if (jsonDepth(buf) > maxDepth) throw new JsonTooDeepError(maxDepth);
  };
}
