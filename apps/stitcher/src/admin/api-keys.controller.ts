import { Body, Controller, Delete, Get, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AdminAuthGuard } from './admin-auth.guard';
import { ApiKeysService } from './api-keys.service';
import { ApiQueryFrom, openApiSchema } from './openapi-schema';
import { PAGED_HEADERS, paged } from './pagination';
import {
  apiKeyListQuerySchema,
  createApiKeySchema,
  idParamSchema,
  type ApiKeyListQuery,
  type CreateApiKeyInput,
  type IdParam,
} from './schemas';
import { ZodValidationPipe } from './zod-validation.pipe';

@ApiTags('api-keys')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'missing or wrong bearer token' })
@ApiResponse({ status: 403, description: 'a read-scope key on a changing request' })
@UseGuards(AdminAuthGuard)
@Controller('api/keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a named key with a scope (admin, or read = GET/HEAD only); the answer is the only time the key is shown',
  })
  @ApiBody({ schema: openApiSchema(createApiKeySchema) })
  @ApiResponse({ status: 201, description: 'the key record with `key`' })
  create(@Body(new ZodValidationPipe(createApiKeySchema)) input: CreateApiKeyInput) {
    return this.keys.create(input);
  }

  @Get()
  @ApiOperation({ summary: 'Keys, oldest first: name, scope, prefix, created, last used (never the key)' })
  @ApiQueryFrom(apiKeyListQuerySchema)
  @ApiResponse({ status: 200, description: 'a page of keys', headers: PAGED_HEADERS })
  async list(@Query(new ZodValidationPipe(apiKeyListQuerySchema)) query: ApiKeyListQuery, @Res({ passthrough: true }) res: Response) {
    return paged(res, await this.keys.list(query), query);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Revoke a key: refused from the next request on' })
  @ApiResponse({ status: 404, description: 'no such key' })
  revoke(@Param(new ZodValidationPipe(idParamSchema)) { id }: IdParam) {
    return this.keys.revoke(id);
  }
}
