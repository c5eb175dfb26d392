import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import type { LivepeerStream, StreamHookResponse } from '@lib/livepeer';
import { ApiKeyGuard } from './api-key.guard';
import { StreamService } from './stream.service';

@Controller('api/stream')
export class StreamController {
  constructor(private readonly streams: StreamService) {}

  /** The broadcasters' auth webhook; no bearer token (go-livepeer calls it bare). */
  @Post('hook')
  @HttpCode(200)
  hook(@Body() body: unknown): StreamHookResponse {
    return this.streams.hook(body);
  }

  @Post()
  @HttpCode(201)
  @UseGuards(ApiKeyGuard)
  create(@Body() body: unknown): LivepeerStream {
    return this.streams.create(body);
  }

  @Get(':id')
  @UseGuards(ApiKeyGuard)
  get(@Param('id') id: string): LivepeerStream {
    return this.streams.get(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @UseGuards(ApiKeyGuard)
  delete(@Param('id') id: string): void {
    this.streams.delete(id);
  }
}
