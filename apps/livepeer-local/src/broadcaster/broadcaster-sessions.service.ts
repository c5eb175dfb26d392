import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ConfigOf, InjectConfig, livepeerLocalConfig } from '@lib/config';
import { HookClient } from './hook.client';
import { BroadcasterHttpError } from './broadcaster-http-error';
import { BroadcasterSession } from './broadcaster-session';

/**
 * The broadcaster's push sessions: created on a manifest's first push (after the auth webhook),
 * refused beyond the session limit, and dropped by a watchdog once no push arrived for the
 * session timeout (go-livepeer: 60 s; there is no explicit end call).
 */
@Injectable()
export class BroadcasterSessionsService implements OnModuleDestroy {
  private readonly logger = new Logger('Sessions');
  private readonly byExternalId = new Map<string, BroadcasterSession>();
  private readonly byManifestId = new Map<string, BroadcasterSession>();
  /** first pushes of one manifest that arrive together share one webhook call */
  private readonly creating = new Map<string, Promise<BroadcasterSession>>();
  private readonly watchdog: NodeJS.Timeout;

  constructor(
    @InjectConfig(livepeerLocalConfig) private readonly config: ConfigOf<typeof livepeerLocalConfig>,
    private readonly hook: HookClient,
  ) {
    const every = Math.max(50, Math.min(1000, Math.floor(config.sessionTimeoutMs / 4)));
    this.watchdog = setInterval(() => this.expire(), every);
    this.watchdog.unref();
  }

  onModuleDestroy() {
    clearInterval(this.watchdog);
  }

  get count(): number {
    return this.byExternalId.size;
  }

  list(): BroadcasterSession[] {
    return [...this.byExternalId.values()];
  }

  /** The session a push belongs to, created (webhook, limits) if it is the first push. */
  async forPush(externalId: string, pushUrl: string, resolution: string | undefined): Promise<BroadcasterSession> {
    const existing = this.byExternalId.get(externalId);
    if (existing) return existing;
    let pending = this.creating.get(externalId);
    if (!pending) {
      pending = this.create(externalId, pushUrl, resolution).finally(() => this.creating.delete(externalId));
      this.creating.set(externalId, pending);
    }
    return pending;
  }

  /** A session by the id its playlists are served under. */
  forPlayback(manifestId: string): BroadcasterSession | undefined {
    return this.byManifestId.get(manifestId);
  }

  private async create(externalId: string, pushUrl: string, resolution: string | undefined): Promise<BroadcasterSession> {
    // Runs before this creation is registered in `creating`, so that map holds the others only.
    if (this.byExternalId.size + this.creating.size >= this.config.maxSessions) {
      throw new BroadcasterHttpError(500, `Too many sessions (max ${this.config.maxSessions})`);
    }
    const auth = await this.hook.authorize(externalId, pushUrl);
    const other = this.byManifestId.get(auth.manifestId);
    if (other && other.externalId !== externalId) {
      // go-livepeer #1673: a manifest re-used within the session timeout via another external id.
      throw new BroadcasterHttpError(500, `Manifest ${auth.manifestId} already exists`);
    }
    const session = new BroadcasterSession(externalId, auth.manifestId, auth.profiles, resolution, this.config.segmentCache);
    this.byExternalId.set(externalId, session);
    this.byManifestId.set(auth.manifestId, session);
    this.logger.log(
      {
        event: 'session-created',
        manifestId: auth.manifestId,
        profiles: auth.profiles.map((p) => p.name),
        resolution,
      },
      `session ${auth.manifestId} created with ${auth.profiles.length} profile(s)`,
    );
    return session;
  }

  private expire() {
    const deadline = Date.now() - this.config.sessionTimeoutMs;
    for (const session of this.byExternalId.values()) {
      if (session.lastPushAt >= deadline) continue;
      this.byExternalId.delete(session.externalId);
      if (this.byManifestId.get(session.manifestId) === session) this.byManifestId.delete(session.manifestId);
      this.logger.log(
        { event: 'session-expired', manifestId: session.manifestId, segments: session.segmentsCompleted },
        `session ${session.manifestId} expired after ${this.config.sessionTimeoutMs} ms without pushes`,
      );
    }
  }
}
