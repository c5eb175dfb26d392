import { Logger } from '@nestjs/common';
import type { ConfigOf, stitcherConfig } from '@lib/config';
import type { SessionEntity, SessionRepository } from '@lib/database';
import type { LivepeerApiClient } from '@lib/livepeer';
import type { SegmentTranscodedEvent } from '@lib/queue';
import { LeaseLostError } from './lease-lost';
import { SOURCE_VARIANT, renditionsOf, type SessionRepublisher } from './session-republisher';
import type { StreamObserver } from './stream-observer';
import type { SessionLifecycle } from './session-lifecycle';
import type { StreamPlaylists, StreamRef } from './stream-playlists';

/** What a stream's writer works with, and how it makes its playlists and session republishers. */
export interface StreamRepublisherDeps {
  settings: Pick<ConfigOf<typeof stitcherConfig>, 'pollIntervalMs' | 'endGraceMs' | 'shutdownGraceMs' | 'verifyIntervalMs'>;
  playbackUrl: string;
  sessions: Pick<SessionRepository, 'markPlaylistEnded'>;
  livepeer: Pick<LivepeerApiClient, 'deleteStream'>;
  playlists: (assertLease: () => void) => StreamPlaylists;
  republisher: (session: SessionEntity, playlists: StreamPlaylists, wake: () => void) => SessionRepublisher;
  observer?: StreamObserver;
  /** Told when a stream goes idle (lifecycle webhooks); none in tests that do not look. */
  lifecycle?: Pick<SessionLifecycle, 'idle'>;
}

/**
 * Steps of one stream never follow each other closer than this, however often work completes
 * (a few wakes per segment: the announcement and each download). Small, since the step that
 * lists a segment waits for it.
 */
const MIN_STEP_GAP_MS = 10;
/** Pause after an unexpected error before the stream is tried again. */
const ERROR_BACKOFF_MS = 1000;

/** Sleeps until woken or a timeout; a wake that came while awake is not lost. */
class Waker {
  private pending = false;
  private resolve?: () => void;

  wake(): void {
    this.pending = true;
    this.resolve?.();
  }

  async sleep(ms: number): Promise<void> {
    if (!this.pending) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        this.resolve = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.resolve = undefined;
    this.pending = false;
  }
}

function isOver(session: SessionEntity | undefined): boolean {
  return session?.state === 'ended' || session?.state === 'failed';
}

/** A unique index refused a row: another writer got there first. */
function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } };
  const code = e?.driverError?.code ?? e?.code ?? '';
  return code === '23505' || code.startsWith('SQLITE_CONSTRAINT');
}

/**
 * The writer of one stream's playlists while this copy holds the stream's lease. Takes the
 * stream's unfinished sessions oldest first: republishes one, and when it has ended and
 * drained either hands the playlists on to the next session (a reconnect: a discontinuity, no
 * end) or, after the end grace period, closes them with #EXT-X-ENDLIST.
 */
export class StreamRepublisher {
  private readonly logger = new Logger(StreamRepublisher.name);
  private readonly waker = new Waker();
  private readonly playlists: StreamPlaylists;
  private sessions: SessionEntity[] = [];
  /** Sessions this writer closed; a database read older than the close may still list them. */
  private readonly finished = new Set<string>();
  private current?: SessionRepublisher;
  private loaded = false;
  private stopped = false;
  /** Shutdown: ended sessions are closed without waiting for a reconnect. */
  private closing = false;
  private running?: Promise<void>;

  constructor(
    readonly stream: StreamRef,
    private readonly ctx: StreamRepublisherDeps,
    private readonly holdsLease: () => boolean,
    /** Called once when the loop ends by itself (lease lost). */
    private readonly onLeaseLost: () => void,
  ) {
    this.playlists = ctx.playlists(() => {
      if (!this.holdsLease()) throw new LeaseLostError(`lease of stream ${stream.id} lost`);
    });
  }

  start(): void {
    this.running ??= this.run();
  }

  /** The stream's unfinished sessions, as the database has them now. */
  update(sessions: SessionEntity[]): void {
    this.sessions = sessions.filter((s) => !this.finished.has(s.id)).sort((a, b) => a.startedAt - b.startedAt);
    const fresh = this.current && this.sessions.find((s) => s.id === this.current!.id);
    if (fresh) this.current!.session = fresh;
    this.waker.wake();
  }

  /** Nothing left to republish: the lease can be released. */
  get idle(): boolean {
    return !this.current && this.sessions.length === 0;
  }

  get currentSessionId(): string | undefined {
    return this.current?.id;
  }

  /** The worker uploaded a segment of this stream: the session being republished acts on it at once. */
  segmentTranscoded(event: SegmentTranscodedEvent): void {
    if (!this.current || this.current.id !== event.sessionId) return; // a later session reads it from the ledger
    this.current.notify(event);
    this.waker.wake();
  }

  /**
   * Stops the loop. With `finishEndedWithinMs` (the stitcher's shutdown), the sessions that have
   * ended are first republished to their end and closed with #EXT-X-ENDLIST, within that budget.
   */
  async stop(finishEndedWithinMs = 0): Promise<void> {
    this.stopped = true;
    this.waker.wake();
    await this.running;
    if (finishEndedWithinMs > 0 && !this.idle) await this.finishEnded(Date.now() + finishEndedWithinMs);
  }

  /**
   * A stopping copy will not see the reconnect the end grace waits for, and players would wait
   * on playlists without #EXT-X-ENDLIST until another copy took over: the ended sessions' last
   * segments are listed (as they arrive, within the budget) and their playlists closed now. A
   * session still live (published through another ingest) is left to the next lease holder.
   * Past the budget an ended session is closed as it stands, with its unresolved seqs logged.
   */
  private async finishEnded(deadline: number): Promise<void> {
    this.closing = true;
    const headEnded = () => (this.current ? this.current.ended : isOver(this.sessions[0]));
    while (!this.idle && headEnded() && Date.now() < deadline) {
      try {
        await this.step();
      } catch (err) {
        this.logger.warn({ streamId: this.stream.id, err: (err as Error).message }, 'shutdown: could not finish the ended sessions');
        return;
      }
      if (!this.idle) await this.waker.sleep(Math.max(0, Math.min(this.ctx.settings.pollIntervalMs, deadline - Date.now())));
    }
    const current = this.current;
    if (current?.ended && Date.now() >= deadline) {
      this.logger.warn(
        { event: 'shutdown-unresolved', streamId: this.stream.id, sessionId: current.id },
        'shutdown grace spent: playlists closed with segments still unresolved',
      );
      await this.finish(current, current.variants).catch((err: Error) =>
        this.logger.warn({ streamId: this.stream.id, err: err.message }, 'shutdown: could not close the playlists'),
      );
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const started = Date.now();
      let pause = this.current?.pollIntervalMs ?? this.ctx.settings.pollIntervalMs;
      try {
        await this.step();
      } catch (err) {
        if (err instanceof LeaseLostError) {
          this.logger.warn({ streamId: this.stream.id }, 'lease lost; another stitcher writes this stream now');
          this.stopped = true;
          this.onLeaseLost();
          break;
        }
        if (isUniqueViolation(err)) {
          // Someone else wrote rows of this stream: rebuild everything from the database.
          this.logger.warn({ streamId: this.stream.id }, 'another writer recorded segments of this stream; reloading its state');
          this.loaded = false;
          this.current = undefined;
        } else {
          this.logger.error({ streamId: this.stream.id, err: (err as Error).message }, 'republishing step failed; retrying');
        }
        pause = ERROR_BACKOFF_MS;
      }
      if (this.stopped) break;
      await this.waker.sleep(Math.max(pause - (Date.now() - started), 0));
      const gap = Date.now() - started;
      if (gap < MIN_STEP_GAP_MS) await new Promise((r) => setTimeout(r, MIN_STEP_GAP_MS - gap));
    }
  }

  private async step(): Promise<void> {
    if (!this.holdsLease()) throw new LeaseLostError(`lease of stream ${this.stream.id} lost`);
    if (!this.loaded) {
      await this.playlists.load();
      this.loaded = true;
    }
    await this.playlists.flush();
    if (this.ctx.settings.verifyIntervalMs > 0) await this.playlists.verify(this.ctx.settings.verifyIntervalMs);
    if (!this.current) {
      const next = this.sessions[0];
      if (!next) return;
      await this.ctx.observer?.sessionOpened?.(this.stream, next);
      const opened = this.ctx.republisher(next, this.playlists, () => this.waker.wake());
      await opened.open(); // only an opened session becomes current: its windows are loaded
      this.current = opened;
      this.logger.log({ streamId: this.stream.id, sessionId: next.id, variants: opened.variants }, 'republishing session');
    }
    const current = this.current;
    const newer = this.sessions.find((s) => s.id !== current.id && s.startedAt >= current.session.startedAt);
    if (newer) current.supersede();
    await current.tick();
    if (!current.drained && !current.empty) return;

    if (newer) {
      // A reconnect: the next session continues the playlists after a discontinuity.
      const continuing = new Set([...renditionsOf(newer, this.ctx.playbackUrl).map((r) => r.name), SOURCE_VARIANT]);
      await this.finish(
        current,
        current.variants.filter((v) => !continuing.has(v)),
      );
    } else if (Date.now() >= (current.endedAt ?? Date.now()) + (this.closing ? 0 : this.ctx.settings.endGraceMs)) {
      await this.finish(current, current.variants, true);
      await this.ctx.lifecycle?.idle(this.stream, current.session);
    }
  }

  /** Closes a session: ENDLIST on the variants that do not go on, then the session is done. */
  private async finish(session: SessionRepublisher, endVariants: string[], streamEnds = false): Promise<void> {
    await this.playlists.end(endVariants);
    // Before the session is marked done, so a copy that takes over after a crash here does it again.
    if (streamEnds) await this.ctx.observer?.streamEnded?.(this.stream, session.session);
    await this.ctx.sessions.markPlaylistEnded(session.id);
    this.logger.log({ streamId: this.stream.id, sessionId: session.id, ended: endVariants }, 'session republished to the end');
    this.finished.add(session.id);
    this.sessions = this.sessions.filter((s) => s.id !== session.id);
    this.current = undefined;
    this.deleteLivepeerStream(session.session.livepeerStreamId);
    this.waker.wake();
  }

  /** Retention on Livepeer's side: the stream is not needed any more (best-effort, as the API may be down). */
  private deleteLivepeerStream(livepeerStreamId: string | null): void {
    if (!livepeerStreamId) return;
    this.ctx.livepeer
      .deleteStream(livepeerStreamId)
      .then((outcome) =>
        this.logger.log(
          { livepeerStreamId },
          outcome === 'deleted' ? 'Livepeer stream deleted' : 'Livepeer stream already gone (404 on delete)',
        ),
      )
      .catch((err: Error) => this.logger.warn({ livepeerStreamId, err: err.message }, 'could not delete the Livepeer stream'));
  }
}
