import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectConfig, livepeerConfig, stitcherConfig, type ConfigOf } from '@lib/config';
import { LedgerService, RenditionSegmentRepository, SessionRepository, type SessionEntity } from '@lib/database';
import { LivepeerApiClient } from '@lib/livepeer';
import { StorageService } from '@lib/storage';
import { UpstreamClient } from '../upstream/upstream.client';
import { DeferredDeletes } from './deferred-deletes.service';
import { RepublishMetrics } from './republish.metrics';
import { SessionRepublisher, type SessionRepublisherDeps } from './session-republisher';
import { STREAM_OBSERVER, type StreamObserver } from './stream-observer';
import { SESSION_LIFECYCLE, type SessionLifecycle } from './session-lifecycle';
import { StreamPlaylists, type StreamPlaylistsDeps, type StreamRef } from './stream-playlists';
import { StreamRepublisher } from './stream-republisher';
import { UploadRepush } from './upload-repush';

export type StitcherSettings = ConfigOf<typeof stitcherConfig>;

/**
 * Makes the per-stream objects of republishing, each with only the collaborators it uses: the
 * only place that knows them all.
 */
@Injectable()
export class RepublishContext {
  readonly settings: StitcherSettings;
  private readonly playlistsDeps: StreamPlaylistsDeps;
  private readonly sessionDeps: SessionRepublisherDeps;

  constructor(
    @InjectConfig(stitcherConfig) settings: StitcherSettings,
    @InjectConfig(livepeerConfig) private readonly livepeerSettings: ConfigOf<typeof livepeerConfig>,
    storage: StorageService,
    renditions: RenditionSegmentRepository,
    ledger: LedgerService,
    private readonly sessions: SessionRepository,
    upstream: UpstreamClient,
    private readonly livepeer: LivepeerApiClient,
    readonly metrics: RepublishMetrics,
    deletes: DeferredDeletes,
    repush: UploadRepush,
    @Optional() @Inject(SESSION_LIFECYCLE) private readonly lifecycle?: SessionLifecycle,
    @Optional() @Inject(STREAM_OBSERVER) private readonly observer?: StreamObserver,
  ) {
    this.settings = settings;
    this.playlistsDeps = { settings, renditions, storage, deletes, metrics, observer };
    this.sessionDeps = {
      settings,
      playbackUrl: livepeerSettings.playbackUrl,
      ledger,
      renditions,
      upstream,
      storage,
      metrics,
      repush,
      lifecycle,
    };
  }

  /** The writer of one stream's playlists while `holdsLease()` says this copy holds it. */
  streamRepublisher(stream: StreamRef, holdsLease: () => boolean, onLeaseLost: () => void): StreamRepublisher {
    return new StreamRepublisher(
      stream,
      {
        settings: this.settings,
        playbackUrl: this.livepeerSettings.playbackUrl,
        sessions: this.sessions,
        livepeer: this.livepeer,
        observer: this.observer,
        lifecycle: this.lifecycle,
        playlists: (assertLease) => new StreamPlaylists(stream, this.playlistsDeps, assertLease),
        republisher: (session: SessionEntity, playlists: StreamPlaylists, wake: () => void) =>
          new SessionRepublisher(session, playlists, this.sessionDeps, wake),
      },
      holdsLease,
      onLeaseLost,
    );
  }
}
