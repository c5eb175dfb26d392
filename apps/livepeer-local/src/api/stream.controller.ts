import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import type { StreamHookResponse } from '@lib/livepeer';
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
  create(@Body() body: unknown): Record<string, unknown> {
    return this.streams.dialect.answer(this.streams.create(body));
  }

  @Get(':id')
  @UseGuards(ApiKeyGuard)
  get(@Param('id') id: string): Record<string, unknown> {
    return this.streams.dialect.answer(this.streams.get(id));
  }

  @Delete(':id')
  @HttpCode(204)
  @UseGuards(ApiKeyGuard)
  delete(@Param('id') id: string): void {
    this.streams.delete(id);
  }
}
