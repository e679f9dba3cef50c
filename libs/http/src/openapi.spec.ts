import { Controller, Get, Module, NotFoundException, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiProperty } from '@nestjs/swagger';
import { previewOpenApiDocument, untypedSchemas } from './openapi';

class ThingResponseDto {
  @ApiProperty() id!: string;
  // The mistake this guards against: a union's reflected type is Object.
  @ApiProperty({ nullable: true }) note!: string | null;
  @ApiProperty({ type: String, nullable: true }) label!: string | null;
}

@Controller('api/v1/things')
class ThingsController {
  @Get(':id')
  @ApiOkResponse({ type: ThingResponseDto })
  @ApiNotFoundResponse({ description: 'THING_NOT_FOUND' })
  get(@Param('id') id: string): ThingResponseDto {
    throw new NotFoundException(id);
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

describe('service OpenAPI documents', () => {
  it('names every schema that says "object" without saying what it holds', async () => {
    const document = await previewOpenApiDocument(ThingsModule, { title: 'things' });
    expect(untypedSchemas(document)).toEqual(['#/components/schemas/ThingResponseDto/properties/note']);
    expect(document.components?.schemas?.['ThingResponseDto']).toMatchObject({
      properties: { label: { type: 'string', nullable: true } },
    });
  });

  it('lists nothing where every object has properties, a map type or a composition', () => {
    const document = {
      openapi: '3.0.0',
      info: { title: 'x', version: '1' },
      paths: {},
      components: {
        schemas: {
          A: {
            type: 'object',
            properties: { b: { type: 'object', additionalProperties: { type: 'number' } } },
          },
          C: { type: 'object', nullable: true, allOf: [{ $ref: '#/components/schemas/A' }] },
          D: { oneOf: [{ $ref: '#/components/schemas/A' }, { $ref: '#/components/schemas/C' }] },
        },
      },
    };
    expect(untypedSchemas(document)).toEqual([]);
  });

  it('documents the error body on every error response a controller declares', async () => {
    const document = await previewOpenApiDocument(ThingsModule, { title: 'things' });
    const responses = document.paths['/api/v1/things/{id}']?.get?.responses;
    expect(responses?.['404']).toEqual({
      description: 'THING_NOT_FOUND',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } } },
    });
    expect(document.components?.schemas?.['ErrorResponseDto']).toMatchObject({
      required: ['error'],
    });
  });
});
