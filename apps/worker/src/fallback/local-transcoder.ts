import { Injectable, Logger } from '@nestjs/common';
import { InjectConfig, type ConfigOf, workerConfig } from '@lib/config';
import type { PushedRendition } from '@lib/livepeer';
import { MediaProcessError, transcodeSegment } from '@lib/media';
import type { UploadSegmentPayload } from '@lib/queue';
import { StorageService } from '@lib/storage';
import { withTimeout } from '@lib/timing';
import { RenditionStore } from '../renditions/rendition-store';
import { SessionProfiles } from '../renditions/session-profiles';
import { UploadClock } from '../upload/upload-clock';
import type { TimeBudget } from '../upload/upload-time-budget';
import { broadcasterBudget } from './fallback-policy';

export type LocalTranscode = { ok: true; renditions: Record<string, string>; ms: number } | { ok: false; reason: string };

/**
 * The worker's own transcoder for `FALLBACK_TRANSCODE=local`: the ladder of the session (its
 * profiles, in order) made from the source segment with the ffmpeg transcoder livepeer-local's
 * broadcasters use (`@lib/media` `transcodeSegment`, one ffmpeg process per segment), and stored
 * exactly as the renditions of a push answer are (`RenditionStore`: `objectKeys.transcodedSegment`,
 * each put retried until the deadline), so the stitcher lists them through the same path.
 */
@Injectable()
export class LocalTranscoder {
  private readonly logger = new Logger(LocalTranscoder.name);

  constructor(
    @InjectConfig(workerConfig) private readonly config: ConfigOf<typeof workerConfig>,
    private readonly storage: StorageService,
    private readonly profiles: SessionProfiles,
    private readonly store: RenditionStore,
    private readonly clock: UploadClock,
  ) {}

  get enabled(): boolean {
    return this.config.fallbackTranscode === 'local';
  }

  /** The decision machine's budget: shortened by the local transcode's reserve when the fallback is on. */
  budgetFor(budget: TimeBudget): TimeBudget {
    return this.enabled ? broadcasterBudget(budget, this.config.fallbackReserveFactor) : budget;
  }

  async transcode(segment: UploadSegmentPayload, deadline: number): Promise<LocalTranscode> {
    const started = this.clock.now();
    const remaining = () => deadline - this.clock.now();
    if (remaining() <= 0) return { ok: false, reason: 'no time left before the live deadline' };
    const profiles = await this.profiles.profilesOf(segment.sessionId).catch(() => []);
    if (profiles.length === 0) return { ok: false, reason: 'the session has no profiles to transcode into' };
    let outputs: Buffer[];
    try {
      const source = await withTimeout(this.storage.getBuffer(segment.objectKey), remaining(), 'read the source segment');
      outputs = await transcodeSegment(source, [...profiles], { timeoutMs: Math.max(1, remaining()) });
    } catch (err) {
      const why = err instanceof MediaProcessError ? `ffmpeg: ${err.message}` : (err as Error).message;
      return { ok: false, reason: why };
    }
    const parts: PushedRendition[] = outputs.map((data, position) => ({
      name: profiles[position].name,
      named: true,
      position,
      contentType: 'video/mp2t',
      data,
    }));
    const stored = await this.store.store(segment, parts, deadline);
    if (stored.failed.length) {
      this.logger.warn({ sessionId: segment.sessionId, seq: segment.seq, failed: stored.failed }, 'some local renditions were not stored');
    }
    if (!stored.renditions) return { ok: false, reason: 'no rendition could be stored before the deadline' };
    return { ok: true, renditions: stored.renditions, ms: this.clock.now() - started };
  }
}
