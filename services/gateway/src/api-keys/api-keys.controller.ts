import { Body, Controller, Delete, Get, HttpCode, Param, Post, UsePipes } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Identity } from '@duemap/auth';
import { createValidationPipe } from '@duemap/http';
import { AdmittedIdentity } from './admitted-identity.decorator';
import { ApiKeyRegistry } from './api-key-registry';
import {
  ApiKeyListResponseDto,
  ApiKeyResponseDto,
  IssuedApiKeyResponseDto,
  toApiKeyResponse,
} from './dtos/api-key.response.dto';
import { CreateApiKeyRequestDto } from './dtos/create-api-key.request.dto';
import { RotateApiKeyRequestDto } from './dtos/rotate-api-key.request.dto';

/** Keys for machines (ERP connectors, bank feeds); the permission matrix gives these to admins only. */
@ApiTags('api-keys')
@UsePipes(createValidationPipe())
@Controller('api/v1/api-keys')
export class ApiKeysController {
  constructor(private readonly registry: ApiKeyRegistry) {}

  @Post()
  @ApiOperation({
    summary: 'Issue an API key',
    description:
      'The answer carries the key once; only a hash of its secret is kept. A scope narrows the roles (default integration); sources limit the {sourceSystem} of the paths it may call.',
  })
  @ApiCreatedResponse({ type: IssuedApiKeyResponseDto })
  @ApiResponse({
    status: 400,
    description: 'Invalid body (details name the fields), or a scope beyond the roles.',
  })
  async create(
    @Body() body: CreateApiKeyRequestDto,
    @AdmittedIdentity() caller: Identity,
  ): Promise<IssuedApiKeyResponseDto> {
    const { record, key } = await this.registry.create({
      name: body.name,
      roles: body.roles,
      scope: body.scope,
      sources: body.sources,
      expiresAt: body.expiresAt ? new Date(body.expiresAt) : null,
      createdBy: caller.subject,
    });
    return { ...toApiKeyResponse(record), key };
  }

  @Get()
  @ApiOperation({ summary: 'The API keys, newest first (never their secrets)' })
  @ApiOkResponse({ type: ApiKeyListResponseDto })
  async list(): Promise<ApiKeyListResponseDto> {
    return { items: (await this.registry.list()).map(toApiKeyResponse) };
  }

  @Post(':id/rotate')
  @ApiOperation({
    summary: 'Replace an API key with a new secret',
    description:
      'A new key with the same name and grant; the old one stops now, or after graceSeconds (at most a day).',
  })
  @ApiCreatedResponse({ type: IssuedApiKeyResponseDto })
  @ApiResponse({ status: 400, description: 'Invalid graceSeconds.' })
  @ApiResponse({ status: 404, description: 'API_KEY_NOT_FOUND' })
  @ApiResponse({ status: 409, description: 'API_KEY_REVOKED or API_KEY_ALREADY_ROTATED' })
  async rotate(
    @Param('id') id: string,
    @Body() body: RotateApiKeyRequestDto,
    @AdmittedIdentity() caller: Identity,
  ): Promise<IssuedApiKeyResponseDto> {
    const { record, key } = await this.registry.rotate(id, body.graceSeconds ?? 0, caller.subject);
    return { ...toApiKeyResponse(record), key };
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an API key at once (revoking it again changes nothing)' })
  @ApiOkResponse({ type: ApiKeyResponseDto })
  @ApiResponse({ status: 404, description: 'API_KEY_NOT_FOUND' })
  async revoke(@Param('id') id: string): Promise<ApiKeyResponseDto> {
    return toApiKeyResponse(await this.registry.revoke(id));
  }
}
