import type { IncomingMessage } from 'node:http';
import { HttpException, HttpStatus } from '@nestjs/common';

/** Sign-in requests are a few fields; anything bigger is not one. */
export const FORM_LIMIT_BYTES = 8 * 1024;

function refusal(status: number, code: string, message: string): HttpException {
  return new HttpException({ error: { code, message, details: [] } }, status);
}

/**
 * The fields of an `application/x-www-form-urlencoded` (HTML form, OAuth2 token request) or JSON
 * body. The gateway's Nest app parses no bodies itself (the forwarder streams them), hence this.
 * Only string values are kept; a field sent twice keeps its first value.
 */
export async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  if (Number(req.headers['content-length'] ?? 0) > FORM_LIMIT_BYTES) {
    req.resume();
    throw refusal(HttpStatus.PAYLOAD_TOO_LARGE, 'PAYLOAD_TOO_LARGE', `body over ${FORM_LIMIT_BYTES} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > FORM_LIMIT_BYTES) {
      throw refusal(HttpStatus.PAYLOAD_TOO_LARGE, 'PAYLOAD_TOO_LARGE', `body over ${FORM_LIMIT_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const fields: Record<string, string> = {};
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text || '{}');
    } catch {
      throw refusal(HttpStatus.BAD_REQUEST, 'VALIDATION_FAILED', 'the body is not valid JSON');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw refusal(HttpStatus.BAD_REQUEST, 'VALIDATION_FAILED', 'the body must be a JSON object');
    }
    for (const [name, value] of Object.entries(parsed)) if (typeof value === 'string') fields[name] = value;
    return fields;
  }
  if (type === 'application/x-www-form-urlencoded' || type === '') {
    for (const [name, value] of new URLSearchParams(text)) {
      if (!Object.hasOwn(fields, name)) fields[name] = value;
    }
    return fields;
  }
  throw refusal(
    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    'UNSUPPORTED_MEDIA_TYPE',
    'send application/x-www-form-urlencoded or application/json',
  );
}
