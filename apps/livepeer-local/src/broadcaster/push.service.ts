import { Injectable, Logger } from '@nestjs/common';
import type { LivepeerProfile } from '@lib/livepeer';
import { BroadcasterHttpError } from './broadcaster-http-error';
import { BroadcasterSessionsService } from './broadcaster-sessions.service';
import { TranscoderService } from './transcoder.service';

export interface IncomingPush {
  externalId: string;
  seq: number;
  durationMs: number;
  resolution: string | undefined;
  body: Buffer;
  /** the URL the push came in on, for the auth webhook */
  url: string;
}

export interface PushOutcome {
  profiles: readonly LivepeerProfile[];
  /** one buffer per profile, in profile order */
  renditions: Buffer[];
  /** false when the sequence number was already in the session (a retried push) */
  added: boolean;
}

/**
 * One segment push: find or create the session, transcode into every profile, then list the
 * segment in every rendition at once. A sequence number the session already has is answered
 * again without being listed twice; concurrent pushes of the same number share one transcode.
 */
@Injectable()
export class PushService {
  private readonly logger = new Logger('Push');
  private readonly inFlight = new Map<string, Promise<PushOutcome>>();

  constructor(
    private readonly sessions: BroadcasterSessionsService,
    private readonly transcoder: TranscoderService,
  ) {}

  async handle(push: IncomingPush): Promise<PushOutcome> {
    // As in go-livepeer, the session exists before the segment is looked at: a first push of
    // unreadable media leaves a session with empty playlists.
    const session = await this.sessions.forPush(push.externalId, push.url, push.resolution);
    session.lastPushAt = Date.now();
    if (push.body.length === 0) throw new BroadcasterHttpError(422, 'empty segment');

    if (session.hasCompleted(push.seq)) {
      const kept = session.renditionsOf(push.seq);
      const renditions = kept ?? (await this.transcoder.transcode(push.body, session.profiles, push.durationMs));
      this.logger.log(
        { event: 'segment-repeated', manifestId: session.manifestId, seq: push.seq },
        `segment ${push.seq} of ${session.manifestId} pushed again: answered, not listed twice`,
      );
      return { profiles: session.profiles, renditions, added: false };
    }

    const key = `${push.externalId}/${push.seq}`;
    let work = this.inFlight.get(key);
    if (!work) {
      work = this.transcodeAndList(push, session).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, work);
    }
    return work;
  }

  private async transcodeAndList(
    push: IncomingPush,
    session: Awaited<ReturnType<BroadcasterSessionsService['forPush']>>,
  ): Promise<PushOutcome> {
    const started = Date.now();
    const renditions = await this.transcoder.transcode(push.body, session.profiles, push.durationMs);
    const added = session.addSegment(push.seq, push.durationMs, push.body, renditions);
    session.lastPushAt = Date.now();
    this.logger.log(
      {
        event: 'segment-transcoded',
        manifestId: session.manifestId,
        seq: push.seq,
        durationMs: push.durationMs,
        bytes: push.body.length,
        mode: this.transcoder.mode,
        transcodeMs: Date.now() - started,
      },
      `segment ${push.seq} of ${session.manifestId} transcoded into ${session.profiles.length} profile(s)`,
    );
    return { profiles: session.profiles, renditions, added };
  }
}
