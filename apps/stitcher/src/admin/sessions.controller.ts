import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
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
  @ApiOperation({ summary: 'Sessions (publishes), newest first, with their segment counts' })
  @ApiQuery({ name: 'state', required: false, enum: ['live', 'ended', 'all'] })
  @ApiQuery({ name: 'streamId', required: false })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  list(@Query(new ZodValidationPipe(sessionListQuerySchema)) query: SessionListQuery) {
    return this.sessions.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: "One session: counts by state and drop reason, and each rendition's lag behind the live edge" })
  @ApiResponse({ status: 404, description: 'no such session' })
  detail(@Param(validId) { id }: IdParam) {
    return this.sessions.detail(id);
  }

  @Get(':id/segments')
  @ApiOperation({ summary: 'The segment timeline: ingested -> queued -> uploaded (transcoded) -> republished, per rendition' })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  timeline(@Param(validId) { id }: IdParam, @Query(new ZodValidationPipe(timelineQuerySchema)) { limit }: TimelineQuery) {
    return this.sessions.timeline(id, limit);
  }
}
