import type { SessionRenditions } from './rendition-discovery';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { SessionRepository, type SessionEntity, type SourceInfo } from '@lib/database';
import { type LivepeerProfile, type LivepeerStream, ladderProfiles } from '@lib/livepeer';
import { REDIS, REDIS_KEYS, type RedisKeys, type SessionEvent, encodeSessionEvent } from '@lib/queue';
import { withTimeout } from '@lib/timing';

export interface NewSession {
  id: string;
  streamId: string;
  protocol: string;
  targetDuration: number;
}

/**
 * The sessions table and the session-events channel: every state change of a publish
 * is written here, and start / live / end are announced so the stitcher reacts at once
 * (it also polls the table, so a lost announcement costs one poll).
 */
@Injectable()
export class SessionRecorder {
  private readonly logger = new Logger(SessionRecorder.name);

  constructor(
    private readonly sessions: SessionRepository,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_KEYS) private readonly keys: RedisKeys,
  ) {}

  async create(session: NewSession): Promise<void> {
    await this.sessions.insert({
      ...session,
      state: 'starting',
      stateReason: null,
      livepeerStreamId: null,
      livepeerStreamKey: null,
      livepeerPlaybackId: null,
      profiles: null,
      renditions: null,
      source: null,
      startedAt: Date.now(),
      endedAt: null,
      playlistEndedAt: null,
      purgedAt: null,
      recordingId: null,
    });
    await this.announce('session-started', session.id, session.streamId);
  }

  async setSource(id: string, source: SourceInfo): Promise<void> {
    await this.sessions.update(id, { source });
  }

  /** The accepted input and the target duration measured from it (fixed for the session). */
  async setInput(id: string, source: SourceInfo, targetDuration: number): Promise<void> {
    await this.sessions.update(id, { source, targetDuration });
  }

  /** Visible while the Livepeer stream is being created again and again. */
  async setReason(id: string, stateReason: string | null): Promise<void> {
    await this.sessions.update(id, { stateReason: stateReason?.slice(0, 2000) ?? null });
  }

  /**
   * Records the Livepeer stream, and moves the session to `live` only from `starting`: a
   * creation that answers after the publish ended must not revive the session.
   */
  async markLive(id: string, streamId: string, livepeer: LivepeerStream, learned: SessionRenditions): Promise<void> {
    await this.sessions.update(id, {
      livepeerStreamId: livepeer.id,
      livepeerStreamKey: livepeer.streamKey ?? null,
      livepeerPlaybackId: livepeer.playbackId ?? null,
      profiles: effectiveLadder(livepeer),
      // Never null when something was learned: an empty map would let readers guess from profiles.
      renditions: learned.renditions ?? {},
    });
    // A session without renditions is live (viewers get the source) but says why it is not transcoding.
    const moved = await this.sessions.updateIfState(id, 'starting', { state: 'live', stateReason: learned.problem ?? null });
    if (moved) await this.announce('session-live', id, streamId);
  }

  async finish(id: string, streamId: string, state: 'ended' | 'failed', reason: string | null): Promise<void> {
    await this.sessions.update(id, { state, stateReason: reason?.slice(0, 2000) ?? null, endedAt: Date.now() });
    await this.announce('session-ended', id, streamId);
  }

  /**
   * Ends a session nobody publishes any more (its ingest process died) if it is still open;
   * announced like any end, so the stitcher closes its playlists after its grace.
   */
  async endOrphan(id: string, streamId: string, reason: string): Promise<boolean> {
    const fields = { state: 'ended' as const, stateReason: reason, endedAt: Date.now() };
    const ended = (await this.sessions.updateIfState(id, 'starting', fields)) || (await this.sessions.updateIfState(id, 'live', fields));
    if (ended) await this.announce('session-ended', id, streamId);
    return ended;
  }

  get(id: string): Promise<SessionEntity | null> {
    return this.sessions.get(id);
  }

  private async announce(type: SessionEvent['type'], sessionId: string, streamId: string): Promise<void> {
    const event: SessionEvent = { type, sessionId, streamId, at: Date.now() };
    try {
      await withTimeout(this.redis.publish(this.keys.sessionEventsChannel(), encodeSessionEvent(event)), 2000, 'session event');
    } catch (err) {
      this.logger.warn(
        { event: type, sessionId, err: (err as Error).message },
        'session event not announced (the stitcher will see it on its next poll)',
      );
    }
  }
}

/**
 * The ladder the broadcasters will produce: the stream's custom profiles followed by its
 * presets expanded from the lpms table (the API returns presets by name only), so the
 * session row names every rendition with its size and bitrate.
 */
export function effectiveLadder(livepeer: Pick<LivepeerStream, 'profiles' | 'presets'>): LivepeerProfile[] {
  try {
    return ladderProfiles({ profiles: livepeer.profiles ?? [], presets: livepeer.presets ?? [] });
  } catch {
    // A preset this relay does not know: keep what the API said.
    return livepeer.profiles ?? [];
  }
}
