import { Body, ConflictException, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RecordingConflictError, RecordingNotFoundError, RecordingsService, StreamsService } from '@lib/streams';
import { AdminAuthGuard } from './admin-auth.guard';
import { openApiSchema } from './openapi-schema';
import { exportRequestSchema, idParamSchema, recordingViewSchema, type ExportRequest, type IdParam } from './schemas';
import { ZodValidationPipe } from './zod-validation.pipe';

const validId = new ZodValidationPipe(idParamSchema);
const one = { schema: openApiSchema(recordingViewSchema) };
const many = { schema: { type: 'array', items: openApiSchema(recordingViewSchema) } };

async function answer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof RecordingNotFoundError) throw new NotFoundException(err.message);
    if (err instanceof RecordingConflictError) throw new ConflictException(err.message);
    throw err;
  }
}

/** Recordings (VOD of recorded sessions) and their MP4 exports. */
@ApiTags('recordings')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'missing or wrong bearer token' })
@UseGuards(AdminAuthGuard)
@Controller('api')
export class RecordingsController {
  constructor(
    private readonly recordings: RecordingsService,
    private readonly streams: StreamsService,
  ) {}

  @Get('streams/:id/recordings')
  @ApiOperation({ summary: "A stream's recordings, newest first" })
  @ApiResponse({ status: 200, description: 'the recordings', ...many })
  async ofStream(@Param(validId) { id }: IdParam) {
    await this.streams.get(id).catch(() => {
      throw new NotFoundException(`no stream with id ${id}`);
    });
    return this.recordings.ofStream(id);
  }

  @Get('sessions/:id/recordings')
  @ApiOperation({ summary: 'The recording a session belongs to (an empty list when it was not recorded)' })
  @ApiResponse({ status: 200, description: 'zero or one recording', ...many })
  ofSession(@Param(validId) { id }: IdParam) {
    return this.recordings.ofSession(id);
  }

  @Get('recordings/:id')
  @ApiOperation({ summary: 'One recording, with its MP4 exports and their progress' })
  @ApiResponse({ status: 200, description: 'the recording', ...one })
  @ApiResponse({ status: 404, description: 'no such recording' })
  get(@Param(validId) { id }: IdParam) {
    return answer(() => this.recordings.get(id));
  }

  @Delete('recordings/:id')
  @ApiOperation({ summary: 'Delete a recording: its segments, playlists, thumbnail and MP4s; the record stays as `deleted`' })
  @ApiResponse({ status: 200, description: 'the recording, now deleted', ...one })
  @ApiResponse({ status: 409, description: 'still being recorded' })
  delete(@Param(validId) { id }: IdParam) {
    return answer(() => this.recordings.delete(id));
  }

  @Post('recordings/:id/export')
  @HttpCode(202)
  @ApiOperation({ summary: 'Export one variant as MP4 (ffmpeg -c copy, faststart) on the recording-export queue' })
  @ApiBody({ schema: openApiSchema(exportRequestSchema) })
  @ApiResponse({ status: 202, description: 'queued (or already queued): the recording with the export and its progress', ...one })
  @ApiResponse({ status: 409, description: 'the recording is not ready, or has no such variant' })
  export(@Param(validId) { id }: IdParam, @Body(new ZodValidationPipe(exportRequestSchema)) body: ExportRequest) {
    return answer(() => this.recordings.requestExport(id, body.variant));
  }
}
