import { Injectable, Logger } from '@nestjs/common';
import type { SessionEntity } from '@lib/database';
import { lifecycleEventId, type LifecycleEvent } from '@lib/queue';
import type { SessionLifecycle } from '../republish/session-lifecycle';
import type { StreamRef } from '../republish/stream-playlists';
import { TranscodeHealth, type HealthChange } from '../republish/transcode-health';
import { LifecycleDispatcher } from './lifecycle-dispatcher.service';

/**
 * Republishing's lifecycle as webhook events: `stream.started` at a session's first listed
 * segment, `stream.idle` when its playlists close after the end grace, and
 * `stream.transcoding-degraded` / `-recovered` as TranscodeHealth decides. Ids are derived from
 * the session (and seq), so a copy that takes the stream over and reports again is deduplicated.
 * A failure to dispatch is logged and does not hold up republishing.
 */
@Injectable()
export class StreamLifecycleReporter implements SessionLifecycle {
  private readonly logger = new Logger(StreamLifecycleReporter.name);
  private readonly started = new Set<string>();
  private readonly health = new Map<string, TranscodeHealth>();

  constructor(private readonly dispatcher: LifecycleDispatcher) {}

  async listed(stream: StreamRef, session: SessionEntity, seq: number): Promise<void> {
    if (!this.started.has(session.id)) {
      this.started.add(session.id);
      await this.emit({
        ...this.base(stream, session, 'stream.started'),
        type: 'stream.started',
        data: { playbackId: stream.playbackId },
      });
    }
    await this.change(stream, session, this.healthOf(session.id).listed(seq));
  }

  async skipped(stream: StreamRef, session: SessionEntity, seq: number, reasons: Record<string, string>): Promise<void> {
    await this.change(stream, session, this.healthOf(session.id).skipped(seq, reasons));
  }

  async idle(stream: StreamRef, session: SessionEntity): Promise<void> {
    this.started.delete(session.id);
    this.health.delete(session.id);
    await this.emit({
      ...this.base(stream, session, 'stream.idle'),
      type: 'stream.idle',
      data: { playbackId: stream.playbackId, endedAt: session.endedAt },
    });
  }

  private async change(stream: StreamRef, session: SessionEntity, change: HealthChange | null): Promise<void> {
    if (change?.type === 'degraded') {
      await this.emit({
        ...this.base(stream, session, 'stream.transcoding-degraded', change.seq),
        type: 'stream.transcoding-degraded',
        data: { seq: change.seq, reasons: change.reasons },
      });
    } else if (change?.type === 'recovered') {
      await this.emit({
        ...this.base(stream, session, 'stream.transcoding-recovered', change.seq),
        type: 'stream.transcoding-recovered',
        data: { seq: change.seq },
      });
    }
  }

  private healthOf(sessionId: string): TranscodeHealth {
    let health = this.health.get(sessionId);
    if (!health) this.health.set(sessionId, (health = new TranscodeHealth()));
    return health;
  }

  private base(stream: StreamRef, session: SessionEntity, type: LifecycleEvent['type'], ...parts: number[]) {
    return {
      id: lifecycleEventId(type, session.id, ...parts),
      timestamp: Date.now(),
      streamId: stream.id,
      sessionId: session.id,
      recordingId: null,
    };
  }

  private async emit(event: LifecycleEvent): Promise<void> {
    try {
      await this.dispatcher.dispatch(event);
    } catch (err) {
      this.logger.error({ eventId: event.id, type: event.type, err: (err as Error).message }, 'lifecycle event not dispatched');
    }
  }
}
