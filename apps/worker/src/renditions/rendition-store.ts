import { Injectable, Logger } from '@nestjs/common';
import { InjectConfig, type ConfigOf, workerConfig } from '@lib/config';
import type { PushedRendition } from '@lib/livepeer';
import { transportStreamProblem } from '@lib/media';
import { CONTENT_TYPES, StorageService, objectKeys } from '@lib/storage';
import { sleep, withTimeout } from '@lib/timing';
import { UploadClock } from '../upload/upload-clock';
import { WorkerMetrics } from '../upload/worker-metrics';
import { RenditionFetcher } from './rendition-fetcher';
import { SessionProfiles } from './session-profiles';

/** How much of a part is read to tell MPEG-TS from garbage (its tables come first). */
const TS_CHECK_BYTES = 64 * 1024;

/** A rendition name becomes a path segment of its object key: only these characters. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export interface StoredRenditions {
  /** Rendition name -> object key of every part stored; null when none was. */
  renditions: Record<string, string> | null;
  /** Parts not stored, with why (logged by the caller). */
  failed: { part: number; reason: string }[];
}

/**
 * Stores the renditions of a push answer in the bucket (`objectKeys.transcodedSegment`), all
 * parts at once, each retried until the segment's deadline. A part that cannot be named, is
 * refused (URL on a host not allowed), is not MPEG-TS, or cannot be stored in time is left
 * out: the stitcher fills what is missing from the broadcasters' playlists.
 */
@Injectable()
export class RenditionStore {
  private readonly logger = new Logger(RenditionStore.name);

  constructor(
    @InjectConfig(workerConfig) private readonly config: ConfigOf<typeof workerConfig>,
    private readonly storage: StorageService,
    private readonly fetcher: RenditionFetcher,
    private readonly profiles: SessionProfiles,
    private readonly metrics: WorkerMetrics,
    private readonly clock: UploadClock,
  ) {}

  async store(segment: { sessionId: string; seq: number }, parts: PushedRendition[], deadline: number): Promise<StoredRenditions> {
    const names = await this.namesOf(segment.sessionId, parts);
    const seen = new Set<string>();
    const outcomes = await Promise.all(
      parts.map(async (part, i): Promise<{ name: string; key: string } | { reason: string }> => {
        const name = names[i];
        if (name === undefined)
          return { reason: `part ${part.position} has no Rendition-Name and the session has no profile at that position` };
        if (!SAFE_NAME.test(name)) return { reason: `rendition name "${name.slice(0, 80)}" is not usable in an object key` };
        if (seen.has(name)) return { reason: `rendition "${name}" sent twice` };
        seen.add(name);
        const key = objectKeys.transcodedSegment(segment.sessionId, name, segment.seq);
        try {
          const bytes = part.uri !== undefined ? await this.fetcher.fetch(part.uri, deadline - this.clock.now()) : part.data;
          // Garbage in a part (an error page, an empty body) is never stored as a rendition:
          // left out, the stitcher takes that rendition from the broadcaster's playlist instead.
          const problem = transportStreamProblem(bytes.subarray(0, TS_CHECK_BYTES));
          if (problem) return { reason: `${name}: not a usable MPEG-TS segment (${problem})` };
          await this.putUntil(key, bytes, deadline);
          return { name, key };
        } catch (err) {
          return { reason: `${name}: ${(err as Error).message}` };
        }
      }),
    );
    const renditions: Record<string, string> = {};
    const failed: StoredRenditions['failed'] = [];
    outcomes.forEach((outcome, part) => {
      if ('key' in outcome) renditions[outcome.name] = outcome.key;
      else failed.push({ part, reason: outcome.reason });
    });
    const stored = Object.keys(renditions).length;
    if (stored) this.metrics.renditionParts.inc({ outcome: 'stored' }, stored);
    if (failed.length) this.metrics.renditionParts.inc({ outcome: 'failed' }, failed.length);
    return { renditions: stored ? renditions : null, failed };
  }

  /** Each part's name: its Rendition-Name, else the session's profile at its position. */
  private async namesOf(sessionId: string, parts: PushedRendition[]): Promise<(string | undefined)[]> {
    const profiles = parts.every((p) => p.named) ? [] : await this.profiles.namesOf(sessionId).catch(() => []);
    return parts.map((p) => (p.named ? p.name : profiles[p.position]));
  }

  /** PutObject, tried again after the retry interval until the deadline; throws the last error. */
  private async putUntil(key: string, bytes: Buffer, deadline: number): Promise<void> {
    for (;;) {
      const remaining = deadline - this.clock.now();
      if (remaining <= 0) throw new Error('not stored before the deadline');
      try {
        await withTimeout(this.storage.put(key, bytes, CONTENT_TYPES.mpegts), remaining, `store ${key}`);
        return;
      } catch (err) {
        const wait = Math.min(this.config.retryIntervalMs, deadline - this.clock.now());
        if (wait <= 0) throw err;
        this.logger.warn({ key, err: (err as Error).message }, 'cannot store a rendition; retrying');
        await sleep(wait);
      }
    }
  }
}
