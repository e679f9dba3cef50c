import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BadRequestException,
  HttpException,
  HttpStatus,
  Injectable,
  type NestMiddleware,
} from '@nestjs/common';
import { jsonDepth, JsonTooDeepError, MAX_JSON_DEPTH } from '@duemap/http';

/** Management requests are small; anything bigger is not one. */
export const API_KEY_BODY_LIMIT = 16 * 1024;

function refusal(status: number, code: string, message: string): HttpException {
  return new HttpException({ error: { code, message, details: [] } }, status);
}

/**
 * The gateway's Nest app parses no bodies (the forwarder streams them to the services untouched),
 * so the API key controller's JSON is read here: up to API_KEY_BODY_LIMIT, `{}` when empty.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  use(req: IncomingMessage & { body?: unknown }, _res: ServerResponse, next: (err?: unknown) => void): void {
    if (req.body !== undefined || req.method === 'GET' || req.method === 'HEAD') {
      next();
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > API_KEY_BODY_LIMIT) {
      req.resume();
      next(
        refusal(
          HttpStatus.PAYLOAD_TOO_LARGE,
          'PAYLOAD_TOO_LARGE',
          `request body is larger than ${API_KEY_BODY_LIMIT} bytes`,
        ),
      );
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > API_KEY_BODY_LIMIT && !failed) {
        failed = true;
        next(
          refusal(
            HttpStatus.PAYLOAD_TOO_LARGE,
            'PAYLOAD_TOO_LARGE',
            `request body is larger than ${API_KEY_BODY_LIMIT} bytes`,
          ),
        );
      }
      if (!failed) chunks.push(chunk);
    });
    req.on('error', (err) => {
      if (!failed) {
        failed = true;
        next(err);
      }
    });
    req.on('end', () => {
      if (failed) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') {
        req.body = {};
        next();
        return;
      }
      const type = req.headers['content-type'] ?? '';
      if (!/^application\/([a-z0-9.+-]*\+)?json(\s*;|$)/i.test(type)) {
        next(
          refusal(
            HttpStatus.UNSUPPORTED_MEDIA_TYPE,
            'UNSUPPORTED_MEDIA_TYPE',
            'send the body as application/json',
          ),
        );
        return;
      }
      if (jsonDepth(text) > MAX_JSON_DEPTH) {
        next(
          new BadRequestException({
            error: {
              code: 'BAD_REQUEST',
              message: new JsonTooDeepError(MAX_JSON_DEPTH).message,
              details: [],
            },
          }),
        );
        return;
      }
      try {
        req.body = JSON.parse(text) as unknown;
        next();
      } catch {
        next(
          new BadRequestException({
            error: { code: 'BAD_REQUEST', message: 'the body is not valid JSON', details: [] },
          }),
        );
      }
    });
  }
}
