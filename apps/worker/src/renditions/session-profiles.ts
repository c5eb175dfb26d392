import { Injectable } from '@nestjs/common';
import { SessionRepository } from '@lib/database';
import type { LivepeerProfile } from '@lib/livepeer';

/** Sessions remembered at most; the oldest is forgotten first (a worker serves many sessions over its life). */
const CACHE_LIMIT = 10_000;

/**
 * The profiles of a session in ladder order: their names name the parts of a push answer that
 * carry no `Rendition-Name` (go-livepeer before v0.5.4 sent the renditions in profile order,
 * unnamed), and the local fallback transcodes into them. A session's profiles are fixed when its
 * Livepeer stream is created, so each is read from the sessions table once; only answers with
 * unnamed parts and fallback transcodes ask at all.
 */
@Injectable()
export class SessionProfiles {
  private readonly profiles = new Map<string, Promise<LivepeerProfile[]>>();

  constructor(private readonly sessions: SessionRepository) {}

  async namesOf(sessionId: string): Promise<string[]> {
    return (await this.profilesOf(sessionId)).map((p) => p.name);
  }

  profilesOf(sessionId: string): Promise<LivepeerProfile[]> {
    let profiles = this.profiles.get(sessionId);
    if (!profiles) {
      profiles = this.sessions.get(sessionId).then((session) => (session?.profiles ?? []) as LivepeerProfile[]);
      // A failed read or a session not written yet is asked again next time, not remembered.
      profiles.then((found) => found.length === 0 && this.profiles.delete(sessionId)).catch(() => this.profiles.delete(sessionId));
      this.profiles.set(sessionId, profiles);
      if (this.profiles.size > CACHE_LIMIT) this.profiles.delete(this.profiles.keys().next().value!);
    }
    return profiles;
  }
}
