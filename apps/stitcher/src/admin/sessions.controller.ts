import { Controller, Get, Param, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiQueryFrom } from './openapi-schema';
import { PAGED_HEADERS, paged } from './pagination';
import { AdminAuthGuard } from './admin-auth.guard';
import {
  idParamSchema,
  sessionListQuerySchema,
  timelineQuerySchema,
  type IdParam,
  type SessionListQuery,
  type TimelineQuery,
} from './schemas';
import { SessionsQuery } from './sessions.service';
import { ZodValidationPipe } from './zod-validation.pipe';

const validId = new ZodValidationPipe(idParamSchema);

@ApiTags('sessions')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'missing or wrong bearer token' })
@UseGuards(AdminAuthGuard)
@Controller('api/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsQuery) {}

  @Get()
  @ApiOperation({ summary: 'Sessions (publishes), newest first, with their segment counts and statistics' })
  @ApiQueryFrom(sessionListQuerySchema)
  @ApiResponse({ status: 200, description: 'a page of sessions', headers: PAGED_HEADERS })
  async list(@Query(new ZodValidationPipe(sessionListQuerySchema)) query: SessionListQuery, @Res({ passthrough: true }) res: Response) {
    return paged(res, await this.sessions.list(query), query);
  }

  @Get(':id')
  @ApiOperation({ summary: "One session: counts by state and drop reason, and each rendition's lag behind the live edge" })
  @ApiResponse({ status: 404, description: 'no such session' })
  detail(@Param(validId) { id }: IdParam) {
    return this.sessions.detail(id);
  }

  @Get(':id/segments')
  @ApiOperation({ summary: 'The segment timeline: ingested -> queued -> uploaded (transcoded) -> republished, per rendition' })
  @ApiQueryFrom(timelineQuerySchema)
  @ApiResponse({ status: 200, description: 'segments oldest first; a full page has `X-Next-Before`, the cursor of the older page' })
  async timeline(
    @Param(validId) { id }: IdParam,
    @Query(new ZodValidationPipe(timelineQuerySchema)) query: TimelineQuery,
    @Res({ passthrough: true }) res: Response,
  ) {
    const rows = await this.sessions.timeline(id, query);
    if (rows.length === query.limit) res.setHeader('X-Next-Before', String(rows[0].seq));
    return rows;
  }
}
