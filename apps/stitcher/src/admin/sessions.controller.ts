import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AdminAuthGuard } from './admin-auth.guard';
import { idParamSchema, sessionListQuerySchema, timelineQuerySchema } from './schemas';
import { SessionsQuery } from './sessions.service';
import { parseOrThrow } from './validation';

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
  list(@Query() query: unknown) {
    return this.sessions.list(parseOrThrow(sessionListQuerySchema, query));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One session: counts by state and drop reason, and each rendition\'s lag behind the live edge' })
  @ApiResponse({ status: 404, description: 'no such session' })
  detail(@Param() params: unknown) {
    return this.sessions.detail(parseOrThrow(idParamSchema, params).id);
  }

  @Get(':id/segments')
  @ApiOperation({ summary: 'The segment timeline: ingested -> queued -> uploaded (transcoded) -> republished, per rendition' })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  timeline(@Param() params: unknown, @Query() query: unknown) {
    const { id } = parseOrThrow(idParamSchema, params);
    return this.sessions.timeline(id, parseOrThrow(timelineQuerySchema, query).limit);
  }
}
