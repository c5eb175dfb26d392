import {
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Res,
  ServiceUnavailableException,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  InvalidLadderError,
  InvalidStreamNameError,
  LadderUncheckedError,
  InvalidStreamSettingsError,
  StreamLiveError,
  StreamNotFoundError,
  StreamsService,
} from '@lib/streams';
import { AdminAuthGuard } from './admin-auth.guard';
import { HistoryQuery } from './history.service';
import { ApiQueryFrom, openApiSchema } from './openapi-schema';
import { PAGED_HEADERS, paged } from './pagination';
import {
  createStreamSchema,
  deleteStreamQuerySchema,
  historyQuerySchema,
  idParamSchema,
  ladderSchema,
  streamHistorySchema,
  streamSettingsSchema,
  streamListQuerySchema,
  updateStreamSchema,
  type CreateStreamInput,
  type DeleteStreamQuery,
  type HistoryQuery as HistoryParams,
  type IdParam,
  type LadderInput,
  type StreamSettingsInput,
  type StreamListQuery,
  type UpdateStreamInput,
} from './schemas';
import { StreamStatsQuery } from './stream-stats.service';
import { ValidationFailed, fieldErrors } from './validation-failed';
import { ZodValidationPipe } from './zod-validation.pipe';

const validId = new ZodValidationPipe(idParamSchema);

/**
 * `profiles[1].height must be >= 128` -> field `ladder.profiles[1].height`; a problem the Livepeer
 * API itself found says so, so the user knows the relay's own rules passed it.
 */
function ladderProblems(err: InvalidLadderError, prefix: string): Record<string, string[]> {
  const by = err.refusedBy ? ` (refused by the Livepeer API at ${err.refusedBy})` : '';
  return fieldErrors(
    err.problems.map((problem) => {
      const path = /^([A-Za-z_][\w]*(?:\[\d+\])?(?:\.[A-Za-z_]\w*)*)\s/.exec(problem)?.[1];
      const message = path ? problem.slice(path.length + 1) : problem;
      return { field: path ? `${prefix}${path}` : prefix.replace(/\.$/, ''), message: `${message}${by}` };
    }),
  );
}

/** Maps the streams library's errors to HTTP answers. */
async function answer<T>(work: () => Promise<T>, ladderPrefix: string): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof StreamNotFoundError) throw new NotFoundException(err.message);
    if (err instanceof StreamLiveError) throw new ConflictException(err.message);
    if (err instanceof InvalidLadderError) throw new ValidationFailed(ladderProblems(err, ladderPrefix));
    if (err instanceof LadderUncheckedError) throw new ServiceUnavailableException(err.message);
    if (err instanceof InvalidStreamSettingsError) throw new ValidationFailed(fieldErrors(err.problems));
    if (err instanceof InvalidStreamNameError) throw new ValidationFailed({ name: [err.message.replace(/^invalid stream name: /, '')] });
    throw err;
  }
}

@ApiTags('streams')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'missing or wrong bearer token' })
@UseGuards(AdminAuthGuard)
@Controller('api/streams')
export class StreamsController {
  constructor(
    private readonly streams: StreamsService,
    private readonly stats: StreamStatsQuery,
    private readonly history: HistoryQuery,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a stream; the answer is the only time its key is shown' })
  @ApiBody({ schema: openApiSchema(createStreamSchema) })
  @ApiResponse({ status: 201, description: 'the stream with its key, publish URLs and playback URL' })
  @ApiResponse({ status: 400, description: 'validation failed: `errors` maps each field to its problems' })
  create(@Body(new ZodValidationPipe(createStreamSchema)) input: CreateStreamInput) {
    const { name, ladder, ...settings } = input;
    return answer(() => this.streams.create({ name, ladder, settings }), 'ladder.');
  }

  @Get()
  @ApiOperation({
    summary:
      'Streams, oldest first, with their live session and statistics (isActive, lastSeen, sourceSegments, ..., ingestRate, outgoingRate)',
  })
  @ApiQueryFrom(streamListQuerySchema)
  @ApiResponse({ status: 200, description: 'a page of streams', headers: PAGED_HEADERS })
  async list(@Query(new ZodValidationPipe(streamListQuerySchema)) query: StreamListQuery, @Res({ passthrough: true }) res: Response) {
    const live = await this.stats.liveSessionsByStream();
    const ids = query.isActive === undefined ? undefined : [...live.keys()];
    const streams = await this.streams.page({
      limit: query.limit,
      offset: query.offset,
      enabled: query.enabled,
      name: query.name,
      ids: query.isActive === false ? undefined : ids,
    });
    // isActive=false: the page is filtered after the query (live streams are few), so a page may hold fewer than `limit`.
    const rows = query.isActive === false ? streams.filter((s) => !live.has(s.id)) : streams;
    if (query.isActive === false && streams.length === query.limit) res.setHeader('X-Next-Offset', String(query.offset + query.limit));
    return paged(res, await this.stats.withStats(rows, live), query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One stream with its statistics' })
  async get(@Param(validId) { id }: IdParam) {
    const stream = await answer(() => this.streams.get(id), 'ladder.');
    return (await this.stats.withStats([stream]))[0];
  }

  @Patch(':id')
  @ApiOperation({
    summary:
      'Change name, ladder (from the next publish), record / dvrWindowSeconds / recordingRetentionDays (from the next session) and/or enabled; unknown fields are refused',
  })
  @ApiBody({ schema: openApiSchema(updateStreamSchema) })
  @ApiResponse({ status: 400, description: 'validation failed (an unknown field too): `errors` maps each field to its problems' })
  update(@Param(validId) { id }: IdParam, @Body(new ZodValidationPipe(updateStreamSchema)) input: UpdateStreamInput) {
    return answer(() => this.streams.update(id, input), 'ladder.');
  }

  @Delete(':id')
  @ApiOperation({
    summary:
      'Delete a stream for good: its key and playback id stop working; its sessions, segment ledger, playlists and every object (source, transcoded, republished) are removed',
  })
  @ApiQueryFrom(deleteStreamQuerySchema)
  @ApiResponse({ status: 200, description: 'what was removed: sessions and object counts' })
  @ApiResponse({ status: 409, description: 'the stream is live and force was not given' })
  remove(@Param(validId) { id }: IdParam, @Query(new ZodValidationPipe(deleteStreamQuerySchema)) { force }: DeleteStreamQuery) {
    return answer(() => this.streams.delete(id, { force }), '');
  }

  @Get(':id/history')
  @ApiOperation({
    summary:
      "The stream's last hour for the dashboard's charts: per segment upload round trip and republish lag, drops per minute by reason",
  })
  @ApiQuery({ name: 'minutes', required: false, type: Number, description: '1..60, default 60' })
  @ApiResponse({ status: 200, schema: openApiSchema(streamHistorySchema) })
  @ApiResponse({ status: 404, description: 'no such stream' })
  streamHistory(@Param(validId) { id }: IdParam, @Query(new ZodValidationPipe(historyQuerySchema)) { minutes }: HistoryParams) {
    return this.history.stream(id, minutes);
  }

  @Put(':id/ladder')
  @ApiOperation({ summary: 'Replace the ladder (applies from the next publish)' })
  @ApiBody({ schema: openApiSchema(ladderSchema) })
  updateLadder(@Param(validId) { id }: IdParam, @Body(new ZodValidationPipe(ladderSchema)) ladder: LadderInput) {
    return answer(() => this.streams.updateLadder(id, ladder), '');
  }

  @Put(':id/settings')
  @ApiOperation({ summary: 'Change recording and DVR settings (record, dvrWindowSeconds, recordingRetentionDays); from the next session' })
  @ApiBody({ schema: openApiSchema(streamSettingsSchema) })
  @ApiResponse({ status: 400, description: 'validation failed: `errors` maps each field to its problems' })
  updateSettings(@Param(validId) { id }: IdParam, @Body(new ZodValidationPipe(streamSettingsSchema)) settings: StreamSettingsInput) {
    return answer(() => this.streams.updateSettings(id, settings), '');
  }

  @Post(':id/disable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Refuse new publishes and end a live one' })
  disable(@Param(validId) { id }: IdParam) {
    return answer(() => this.streams.disable(id), '');
  }

  @Post(':id/enable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Accept publishes again' })
  enable(@Param(validId) { id }: IdParam) {
    return answer(() => this.streams.enable(id), '');
  }

  @Post(':id/rotate-key')
  @HttpCode(200)
  @ApiOperation({ summary: 'A new stream key (shown once); the old one stops working for new publishes' })
  rotateKey(@Param(validId) { id }: IdParam) {
    return answer(() => this.streams.rotateKey(id), '');
  }
}
