import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SessionRepository } from '@lib/database';
import { InvalidLadderError, InvalidStreamNameError, InvalidStreamSettingsError, StreamNotFoundError, StreamsService } from '@lib/streams';
import { AdminAuthGuard } from './admin-auth.guard';
import { HistoryQuery } from './history.service';
import { openApiSchema } from './openapi-schema';
import {
  createStreamSchema,
  historyQuerySchema,
  idParamSchema,
  ladderSchema,
  streamHistorySchema,
  streamSettingsSchema,
  type CreateStreamInput,
  type HistoryQuery as HistoryParams,
  type IdParam,
  type LadderInput,
  type StreamSettingsInput,
} from './schemas';
import { ValidationFailed, fieldErrors } from './validation-failed';
import { ZodValidationPipe } from './zod-validation.pipe';

const validId = new ZodValidationPipe(idParamSchema);

/** `profiles[1].height must be >= 128` -> field `ladder.profiles[1].height`. */
function ladderProblems(err: InvalidLadderError, prefix: string): Record<string, string[]> {
  return fieldErrors(
    err.problems.map((problem) => {
      const path = /^([A-Za-z_][\w]*(?:\[\d+\])?(?:\.[A-Za-z_]\w*)*)\s/.exec(problem)?.[1];
      return { field: path ? `${prefix}${path}` : prefix.replace(/\.$/, ''), message: path ? problem.slice(path.length + 1) : problem };
    }),
  );
}

/** Maps the streams library's errors to HTTP answers. */
async function answer<T>(work: () => Promise<T>, ladderPrefix: string): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof StreamNotFoundError) throw new NotFoundException(err.message);
    if (err instanceof InvalidLadderError) throw new ValidationFailed(ladderProblems(err, ladderPrefix));
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
    private readonly sessions: SessionRepository,
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
  @ApiOperation({ summary: 'Every stream, with its live session if it has one' })
  async list() {
    const streams = await this.streams.list();
    const live = await this.sessions.live();
    const liveByStream = new Map(live.map((s) => [s.streamId, s]));
    return streams.map((s) => ({ ...s, liveSessionId: liveByStream.get(s.id)?.id ?? null }));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One stream' })
  get(@Param(validId) { id }: IdParam) {
    return answer(() => this.streams.get(id), 'ladder.');
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
