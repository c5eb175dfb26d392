import { Controller, Get, Logger, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiError } from './api-error';
import { composeMasterPlaylists, composeMediaPlaylists, type PlaylistInput } from './playlist-amalgamation';
import { BroadcasterRegistryService } from './broadcaster-registry.service';

/** Headers of the API's amalgamated playlists (docs/livepeer-protocol.md §5.2 step 6). */
const PLAYLIST_HEADERS = {
  'Content-Type': 'application/x-mpegurl',
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET',
};
const FETCH_TIMEOUT_MS = 2000;

/**
 * `/stream/{id}.m3u8` and `/stream/{id}/{rendition}.m3u8`: the same path fetched from every
 * listed broadcaster and merged with the compose algorithm (docs/livepeer-protocol.md §5.2); 404 when no
 * broadcaster has it.
 */
@Controller('stream')
export class PlaybackController {
  private readonly logger = new Logger('Playback');

  constructor(private readonly registry: BroadcasterRegistryService) {}

  @Get(':file')
  async master(@Param('file') file: string, @Res() res: Response) {
    const id = this.strip(file);
    const inputs = await this.fetchFromAll(`/stream/${encodeURIComponent(id)}.m3u8`);
    this.send(res, composeMasterPlaylists(inputs, { onInvalidInput: (i, e) => this.invalid(i, e) }));
  }

  @Get(':id/:file')
  async media(@Param('id') id: string, @Param('file') file: string, @Res() res: Response) {
    const rendition = this.strip(file);
    const inputs = await this.fetchFromAll(`/stream/${encodeURIComponent(id)}/${encodeURIComponent(rendition)}.m3u8`);
    this.send(res, composeMediaPlaylists(inputs, { onInvalidInput: (i, e) => this.invalid(i, e) }));
  }

  private strip(file: string): string {
    if (!file.endsWith('.m3u8')) throw new ApiError(404, ['not found']);
    return file.slice(0, -'.m3u8'.length);
  }

  /** Answers in arrival order (the compose algorithm lets the first occurrence of a segment win). */
  private async fetchFromAll(path: string): Promise<PlaylistInput[]> {
    const inputs: PlaylistInput[] = [];
    await Promise.all(
      this.registry.healthy().map(async ({ address }) => {
        const url = `${address}${path}`;
        try {
          const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
          const body = await response.text();
          if (response.status === 200) inputs.push({ url, body });
        } catch {
          // a broadcaster that does not answer contributes nothing, as in the original
        }
      }),
    );
    return inputs;
  }

  private send(res: Response, playlist: string | null) {
    if (playlist === null) throw new ApiError(404, ['not found']);
    for (const [name, value] of Object.entries(PLAYLIST_HEADERS)) res.setHeader(name, value);
    res.status(200).end(Buffer.from(playlist));
  }

  private invalid(input: PlaylistInput, error: Error) {
    this.logger.warn({ event: 'playlist-ignored', url: input.url, reason: error.message }, `ignored ${input.url}: ${error.message}`);
  }
}
