import { Injectable, Logger } from '@nestjs/common';
import { ConfigOf, InjectConfig, livepeerLocalConfig } from '@lib/config';
import {
  CreateStreamRequest,
  LivepeerProfile,
  LivepeerStream,
  StreamHookResponse,
  ladderProfiles,
  renditionPaths,
  validateCreateStreamRequest,
  validateLadder,
} from '@lib/livepeer';
import { randomBytes, randomUUID } from 'node:crypto';
import { ApiError } from './api-error';
import { type ApiDialect, apiDialect } from './api-dialect';
import { WowzaHydrateError, hydrateWowza } from './wowza-hydrate';

/** `abcd-efgh-ijkl-mnop`, shaped like Livepeer stream keys. */
function streamKey(): string {
  const chars = randomBytes(16).toString('hex');
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4)).join('-');
}

/**
 * Streams of the local Livepeer API, in memory (it is a development and test stand-in;
 * a restart forgets them, as a broadcaster forgets its sessions).
 */
@Injectable()
export class StreamService {
  private readonly logger = new Logger('Streams');
  private readonly streams = new Map<string, LivepeerStream>();
  readonly dialect: ApiDialect;

  constructor(@InjectConfig(livepeerLocalConfig) config: ConfigOf<typeof livepeerLocalConfig>) {
    this.dialect = apiDialect(config.dialect);
  }

  /** `POST /api/stream`: validation (422), wowza hydration, default ladder. */
  create(body: unknown): LivepeerStream {
    const errors = validateCreateStreamRequest(body);
    if (!errors.length) errors.push(...this.dialect.problems(body as Record<string, unknown>));
    if (errors.length) throw new ApiError(422, errors);
    const request = body as CreateStreamRequest;
    const id = randomUUID();

    let profiles: LivepeerProfile[];
    let presets: string[];
    let renditions: Record<string, string>;
    let wowza: unknown;
    if (request.wowza) {
      let hydrated;
      try {
        hydrated = hydrateWowza(id, request.name, request.wowza);
      } catch (err) {
        if (err instanceof WowzaHydrateError) throw new ApiError(422, [`wowza: ${err.message}`]);
        throw err;
      }
      const problems = validateLadder({ profiles: hydrated.profiles });
      if (problems.length)
        throw new ApiError(
          422,
          problems.map((p) => `wowza: ${p}`),
        );
      ({ profiles, presets, renditions } = hydrated);
      wowza = { ...request.wowza, streamNameGroups: hydrated.streamNameGroups };
    } else {
      profiles = request.profiles?.length || request.presets?.length ? (request.profiles ?? []) : this.dialect.ladderWhenNone();
      presets = request.presets ?? [];
      renditions = renditionPaths(
        id,
        ladderProfiles({ profiles, presets }).map((p) => p.name),
      );
    }

    const stream: LivepeerStream = {
      id,
      name: request.name,
      kind: 'stream',
      profiles,
      presets,
      renditions,
      streamKey: streamKey(),
      playbackId: randomBytes(8).toString('hex'),
      createdAt: Date.now(),
      isActive: false,
      lastSeen: 0,
      ...(wowza !== undefined ? { wowza } : {}),
      ...(request.objectStoreId !== undefined ? { objectStoreId: request.objectStoreId } : {}),
    };
    this.streams.set(id, stream);
    this.logger.log(
      { event: 'stream-created', streamId: id, profiles: profiles.map((p) => p.name), presets, wowza: wowza !== undefined },
      `stream ${id} created`,
    );
    return stream;
  }

  get(id: string): LivepeerStream {
    const stream = this.streams.get(id);
    if (!stream) throw new ApiError(404, ['not found']);
    return stream;
  }

  delete(id: string): void {
    if (!this.dialect.deletes || !this.streams.delete(id)) throw new ApiError(404, ['not found']);
    this.logger.log({ event: 'stream-deleted', streamId: id }, `stream ${id} deleted`);
  }

  /**
   * `POST /api/stream/hook` (docs/livepeer-protocol.md §3.4): `{url}` of a push -> the stream's ladder.
   * http(s) URLs must be `/live/{id}/{n}.ts`, rtmp ones `/live/{id}`.
   */
  hook(body: unknown): StreamHookResponse {
    const url = (body as { url?: unknown } | null)?.url;
    if (typeof url !== 'string' || !url) throw new ApiError(422, ['missing url']);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ApiError(422, [`invalid url ${url}`]);
    }
    if (!['http:', 'https:', 'rtmp:'].includes(parsed.protocol)) {
      throw new ApiError(422, [`unsupported protocol ${parsed.protocol}`]);
    }
    const parts = parsed.pathname.split('/').slice(1);
    if (parts[0] !== 'live') throw new ApiError(404, [`path ${parsed.pathname} is not under /live/`]);
    const shapeOk = parsed.protocol === 'rtmp:' ? parts.length === 2 : parts.length === 3 && /\.ts$/.test(parts[2]);
    if (!shapeOk) throw new ApiError(422, [`unexpected path shape ${parsed.pathname}`]);
    const streamId = decodeURIComponent(parts[1] ?? '');
    if (!streamId) throw new ApiError(401, ['stream id missing']);
    const stream = this.get(streamId);
    stream.lastSeen = Date.now();
    stream.isActive = true;
    return { manifestId: stream.id, presets: stream.presets, profiles: stream.profiles };
  }
}
