import { Controller, Get, Logger, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CONTENT_TYPES, StorageService, objectKeys } from '@lib/storage';
import { isCompletePlaylist, isRenditionName, segmentMsn } from '../hls/hls-paths';
import { isMissing, pipeObject, sendNotFound, sendUnavailable } from '../hls/object-responses';
import { parseByteRange } from './byte-range';

const RECORDING_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MP4_FILE = /^([A-Za-z0-9_.-]{1,64})\.mp4$/;
/** A ready recording never changes (deleting it removes it): its objects may be cached. */
const VOD_CACHE_CONTROL = 'public, max-age=3600';

/**
 * Serves recordings from the object store: `/vod/{recordingId}/index.m3u8` (master),
 * `/{variant}/index.m3u8` and `/{variant}/{msn}.ts` (the VOD playlists and segments),
 * `/thumbnail.jpg`, and `/{variant}.mp4` (an MP4 export) with single byte ranges, so players
 * can seek and downloads can resume. Like /hls, public by id and open to browser players.
 */
@ApiExcludeController()
@Controller('vod')
export class VodController {
  private readonly logger = new Logger(VodController.name);

  constructor(private readonly storage: StorageService) {}

  @Get(':recordingId/:file')
  async top(@Param('recordingId') id: string, @Param('file') file: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    if (!RECORDING_ID.test(id)) return sendNotFound(res);
    if (file === 'index.m3u8') return this.send(res, objectKeys.recordingMaster(id), CONTENT_TYPES.playlist);
    if (file === 'thumbnail.jpg') return this.send(res, objectKeys.recordingThumbnail(id), CONTENT_TYPES.jpeg);
    const mp4 = MP4_FILE.exec(file);
    if (mp4 && isRenditionName(mp4[1])) return this.sendRange(req, res, objectKeys.recordingMp4(id, mp4[1]), CONTENT_TYPES.mp4);
    return sendNotFound(res);
  }

  @Get(':recordingId/:variant/:file')
  async variant(
    @Param('recordingId') id: string,
    @Param('variant') variant: string,
    @Param('file') file: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    if (!RECORDING_ID.test(id) || !isRenditionName(variant)) return sendNotFound(res);
    if (file === 'index.m3u8') return this.send(res, objectKeys.recordingMedia(id, variant), CONTENT_TYPES.playlist);
    const msn = segmentMsn(file);
    if (msn === undefined) return sendNotFound(res);
    return this.sendRange(req, res, objectKeys.recordingSegment(id, variant, msn), CONTENT_TYPES.mpegts);
  }

  private async send(res: Response, key: string, contentType: string): Promise<void> {
    let body: Buffer;
    try {
      body = await this.storage.getBuffer(key);
    } catch (err) {
      return isMissing(err) ? sendNotFound(res) : sendUnavailable(res, this.logger, err);
    }
    if (contentType === CONTENT_TYPES.playlist && !isCompletePlaylist(body.toString('utf8'))) {
      return sendUnavailable(res, this.logger, new Error(`playlist ${key} read incomplete`));
    }
    res.set({ 'Access-Control-Allow-Origin': '*', 'Content-Type': contentType, 'Cache-Control': VOD_CACHE_CONTROL });
    res.status(200).send(body);
  }

  /** The object, whole (200) or one byte range of it (206; 416 past its end). */
  private async sendRange(req: Request, res: Response, key: string, contentType: string): Promise<void> {
    try {
      const stat = await this.storage.stat(key);
      if (!stat) return sendNotFound(res);
      const range = parseByteRange(req.headers.range, stat.size);
      const headers = {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Expose-Headers': 'Content-Range, Content-Length, Accept-Ranges',
        'Accept-Ranges': 'bytes',
        'Content-Type': contentType,
        'Cache-Control': VOD_CACHE_CONTROL,
      };
      if (range === 'unsatisfiable') {
        res.set({ ...headers, 'Content-Range': `bytes */${stat.size}` });
        res.status(416).end();
        return;
      }
      if (!range) {
        res.set({ ...headers, 'Content-Length': String(stat.size) });
        res.status(200);
        return pipeObject(res, this.logger, await this.storage.getStream(key));
      }
      const length = range.end - range.start + 1;
      const body = await this.storage.getRange(key, range.start, length);
      res.set({ ...headers, 'Content-Length': String(length), 'Content-Range': `bytes ${range.start}-${range.end}/${stat.size}` });
      res.status(206);
      pipeObject(res, this.logger, body);
    } catch (err) {
      if (isMissing(err)) return sendNotFound(res);
      sendUnavailable(res, this.logger, err);
    }
  }
}
