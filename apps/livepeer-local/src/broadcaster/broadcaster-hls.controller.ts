import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { MetricsService } from '@lib/observability';
import { sendText } from './http-text';
import { BroadcasterSessionsService } from './broadcaster-sessions.service';

/** Headers go-livepeer's HLS handlers send (docs/livepeer-protocol.md §2.3, lpms vidplayer). */
const PLAYLIST_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Cache-Control': 'max-age=5',
  'Content-Type': 'application/x-mpegURL',
};

/** Native setHeader + Buffer: express would lower-case the type and append a charset. */
function sendExact(res: Response, headers: Record<string, string>, body: string | Buffer) {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.status(200).end(typeof body === 'string' ? Buffer.from(body) : body);
}

function withoutExtension(file: string, extension: string): string | undefined {
  return file.endsWith(extension) ? file.slice(0, -extension.length) : undefined;
}

/** The broadcaster's own HLS (docs/livepeer-protocol.md §2.3): master, media playlists and segments. */
@Controller('stream')
export class BroadcasterHlsController {
  /** Playlist requests for a session this broadcaster does not hold (the API's amalgamation asks every broadcaster). */
  private readonly notHeld;

  constructor(
    private readonly sessions: BroadcasterSessionsService,
    metrics: MetricsService,
  ) {
    this.notHeld = metrics.counter(
      'livepeer_broadcaster_playlist_not_held_total',
      'Playlist GETs answered 404 because this broadcaster does not hold the session (logged at debug only).',
    );
  }

  @Get(':file')
  master(@Param('file') file: string, @Res() res: Response) {
    const manifestId = withoutExtension(file, '.m3u8');
    const session = manifestId === undefined ? undefined : this.sessions.forPlayback(manifestId);
    if (!session) return this.notFound(res);
    sendExact(res, PLAYLIST_HEADERS, session.masterPlaylist());
  }

  @Get(':manifestId/:file')
  media(@Param('manifestId') manifestId: string, @Param('file') file: string, @Res() res: Response) {
    const rendition = withoutExtension(file, '.m3u8');
    const playlist = rendition === undefined ? undefined : this.sessions.forPlayback(manifestId)?.mediaPlaylist(rendition);
    if (playlist === undefined) return this.notFound(res);
    sendExact(res, PLAYLIST_HEADERS, playlist);
  }

  private notFound(res: Response) {
    this.notHeld.inc();
    sendText(res, 404, 'ErrNotFound');
  }

  @Get(':manifestId/:rendition/:file')
  segment(
    @Param('manifestId') manifestId: string,
    @Param('rendition') rendition: string,
    @Param('file') file: string,
    @Res() res: Response,
  ) {
    const seqText = withoutExtension(file, '.ts');
    const seq = seqText !== undefined && /^\d+$/.test(seqText) ? Number(seqText) : undefined;
    const data = seq === undefined ? undefined : this.sessions.forPlayback(manifestId)?.segment(rendition, seq);
    if (!data) return sendText(res, 404, 'ErrNotFound');
    sendExact(res, { 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'max-age=5', 'Content-Type': 'video/mp2t' }, data);
  }
}
