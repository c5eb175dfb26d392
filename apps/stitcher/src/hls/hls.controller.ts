import { Controller, Get, Logger, Options, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { CONTENT_TYPES, StorageService, objectKeys } from '@lib/storage';
import { isCompletePlaylist, isPlaybackId, isRenditionName, playlistMaxAge, segmentMsn } from './hls-paths';
import { isMissing, pipeObject, sendNotFound, sendUnavailable } from './object-responses';

/** Segments never change once listed (msns are never reused): cache them for long. */
const SEGMENT_CACHE_CONTROL = 'public, max-age=86400, immutable';
/** Reads of a playlist caught mid-replacement (or failing) are retried this many times, ~1 s in all. */
const PLAYLIST_READ_ATTEMPTS = 8;

/**
 * Serves the republished HLS from the object store (where any stitcher copy, or a CDN, reads
 * the same bytes): master and media playlists with a short cache lifetime, segments with a long
 * one, CORS open for browser players (docs/hls-rules.md rule 10).
 */
@ApiExcludeController()
@Controller('hls')
export class HlsController {
  private readonly logger = new Logger(HlsController.name);

  constructor(private readonly storage: StorageService) {}

  @Options('*path')
  preflight(@Res() res: Response): void {
    res.set({
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
      'Access-Control-Allow-Headers': 'Range',
      'Access-Control-Max-Age': '86400',
    });
    res.status(204).end();
  }

  @Get(':playbackId/index.m3u8')
  async master(@Param('playbackId') playbackId: string, @Res() res: Response): Promise<void> {
    if (!isPlaybackId(playbackId)) return this.notFound(res);
    await this.sendPlaylist(res, objectKeys.hlsMaster(playbackId));
  }

  @Get(':playbackId/:rendition/index.m3u8')
  async media(@Param('playbackId') playbackId: string, @Param('rendition') rendition: string, @Res() res: Response): Promise<void> {
    if (!isPlaybackId(playbackId) || !isRenditionName(rendition)) return this.notFound(res);
    await this.sendPlaylist(res, objectKeys.hlsMedia(playbackId, rendition));
  }

  @Get(':playbackId/:rendition/:file')
  async segment(
    @Param('playbackId') playbackId: string,
    @Param('rendition') rendition: string,
    @Param('file') file: string,
    @Res() res: Response,
  ): Promise<void> {
    const msn = segmentMsn(file);
    if (!isPlaybackId(playbackId) || !isRenditionName(rendition) || msn === undefined) return this.notFound(res);
    let body: NodeJS.ReadableStream;
    try {
      body = await this.storage.getStream(objectKeys.hlsSegment(playbackId, rendition, msn));
    } catch (err) {
      if (isMissing(err)) return this.notFound(res);
      return this.unavailable(res, err);
    }
    res.set({
      'Access-Control-Allow-Origin': '*',
      'Content-Type': CONTENT_TYPES.mpegts,
      'Cache-Control': SEGMENT_CACHE_CONTROL,
    });
    pipeObject(res, this.logger, body);
  }

  /** The live thumbnail (LiveThumbnails), or a 404 saying why there is none yet. */
  @Get(':playbackId/thumbnail.jpg')
  async thumbnail(@Param('playbackId') playbackId: string, @Res() res: Response): Promise<void> {
    if (!isPlaybackId(playbackId)) return this.notFound(res);
    let body: NodeJS.ReadableStream;
    try {
      body = await this.storage.getStream(objectKeys.hlsThumbnail(playbackId));
    } catch (err) {
      if (isMissing(err)) return sendNotFound(res, 'no thumbnail yet: the stream has not listed a segment');
      return this.unavailable(res, err);
    }
    res.set({ 'Access-Control-Allow-Origin': '*', 'Content-Type': CONTENT_TYPES.jpeg, 'Cache-Control': 'public, max-age=1' });
    pipeObject(res, this.logger, body);
  }

  private async sendPlaylist(res: Response, key: string): Promise<void> {
    let text = '';
    let failure: unknown;
    for (let attempt = 1; attempt <= PLAYLIST_READ_ATTEMPTS; attempt++) {
      try {
        text = (await this.storage.getBuffer(key)).toString('utf8');
        failure = isCompletePlaylist(text) ? undefined : new Error(`playlist ${key} read incomplete`);
      } catch (err) {
        if (isMissing(err)) return this.notFound(res);
        failure = err;
      }
      if (!failure) break;
      // An object store without atomic replacement (the embedded one) can show a write in progress.
      await new Promise((r) => setTimeout(r, 25 * attempt));
    }
    if (failure) return this.unavailable(res, failure);
    res.set({
      'Access-Control-Allow-Origin': '*',
      'Content-Type': CONTENT_TYPES.playlist,
      'Cache-Control': `public, max-age=${playlistMaxAge(text)}`,
    });
    res.status(200).send(text);
  }

  private notFound(res: Response): void {
    sendNotFound(res);
  }

  private unavailable(res: Response, err: unknown): void {
    sendUnavailable(res, this.logger, err);
  }
}
