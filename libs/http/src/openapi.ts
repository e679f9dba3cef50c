import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ApiProperty,
  ApiPropertyOptional,
  DocumentBuilder,
  getSchemaPath,
  SwaggerModule,
  type OpenAPIObject,
} from '@nestjs/swagger';

export interface OpenApiOptions {
  title: string;
  version?: string;
}

class ErrorDetailResponseDto {
  @ApiPropertyOptional({ example: 'allocations[0].invoiceId', description: 'The field at fault.' })
  field?: string;
  @ApiProperty({ example: 'invoiceId must be a Duemap id' }) message!: string;
  @ApiPropertyOptional() code?: string;
}

class ErrorInfoResponseDto {
  @ApiProperty({ example: 'VALIDATION_FAILED' }) code!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ type: [ErrorDetailResponseDto] }) details!: ErrorDetailResponseDto[];
}

/** What ApiExceptionFilter answers for every error: `{"error":{"code","message","details"}}`. */
export class ErrorResponseDto {
  @ApiProperty({ type: ErrorInfoResponseDto }) error!: ErrorInfoResponseDto;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

/**
 * The service's OpenAPI document. Controllers declare their error statuses with a description
 * only; every service answers them with the same body (ApiExceptionFilter), so it is documented
 * here once rather than on each of them.
 */
export function createOpenApiDocument(app: INestApplication, options: OpenApiOptions): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(options.title)
    .setVersion(options.version ?? '1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorResponseDto] });
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      for (const [status, response] of Object.entries(item[method]?.responses ?? {})) {
        if (Number(status) < 400 || response === undefined || '$ref' in response) continue;
        if (response.content === undefined) {
          response.content = { 'application/json': { schema: { $ref: getSchemaPath(ErrorResponseDto) } } };
        }
      }
    }
  }
  return document;
}

/**
 * The document of a module's controllers without creating its providers (Nest's preview mode):
 * nothing connects to a database or a broker, so a unit test can check a whole service's document.
 */
export async function previewOpenApiDocument(
  module: Type<unknown> | DynamicModule,
  options: OpenApiOptions,
): Promise<OpenAPIObject> {
  const app = await NestFactory.create(module, { preview: true, logger: false });
  try {
    return createOpenApiDocument(app, options);
  } finally {
    await app.close();
  }
}

/**
 * JSON pointers of the schemas that say `{"type":"object"}` and nothing of what it holds. That is
 * what @nestjs/swagger publishes for a property whose reflected type is Object — a `string | null`
 * union, an interface — when the decorator names no `type`: a client generated from it expects an
 * object where the API sends a string, a number or null.
 */
export function untypedSchemas(document: { components?: object; paths?: object }): string[] {
  const found: string[] = [];
  const visit = (node: unknown, pointer: string): void => {
    if (typeof node !== 'object' || node === null) return;
    const schema = node as Record<string, unknown>;
    const says = (key: string) => schema[key] !== undefined;
    if (
      schema['type'] === 'object' &&
      !['properties', 'additionalProperties', 'allOf', 'oneOf', 'anyOf', '$ref'].some(says)
    ) {
      found.push(pointer);
    }
    for (const [key, value] of Object.entries(schema)) {
      visit(value, `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`);
    }
  };
  visit(document.components, '#/components');
  visit(document.paths, '#/paths');
  return found;
}
