import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { InjectConfig, livepeerConfig, stitcherConfig, type ConfigOf } from '@lib/config';
import { LedgerService, SegmentEntity, SessionEntity } from '@lib/database';
import { LivepeerApiClient } from '@lib/livepeer';
import { StorageService } from '@lib/storage';
import { UpstreamClient } from '../upstream/upstream.client';
import { DeferredDeletes } from './deferred-deletes.service';
import { RenditionStore } from './rendition-store.service';
import { RepublishMetrics } from './republish.metrics';

export type StitcherSettings = ConfigOf<typeof stitcherConfig>;

/** Everything a stream's republisher needs, injected once and handed to the per-stream objects. */
@Injectable()
export class RepublishContext {
  readonly playbackUrl: string;

  constructor(
    @InjectConfig(stitcherConfig) readonly settings: StitcherSettings,
    @InjectConfig(livepeerConfig) livepeerSettings: ConfigOf<typeof livepeerConfig>,
    readonly storage: StorageService,
    readonly store: RenditionStore,
    readonly ledger: LedgerService,
    @InjectRepository(SegmentEntity) readonly segments: Repository<SegmentEntity>,
    @InjectRepository(SessionEntity) readonly sessions: Repository<SessionEntity>,
    readonly upstream: UpstreamClient,
    readonly livepeer: LivepeerApiClient,
    readonly metrics: RepublishMetrics,
    readonly deletes: DeferredDeletes,
  ) {
    this.playbackUrl = livepeerSettings.playbackUrl;
  }
}

/** The stream's lease was lost: another copy writes its playlists now; stop at once. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}
