import { Injectable } from '@nestjs/common';
import { SessionRepository } from '@lib/database';

/** Sessions remembered at most; the oldest is forgotten first (a worker serves many sessions over its life). */
const CACHE_LIMIT = 10_000;

/**
 * The profile names of a session in ladder order, which name the parts of a push answer that
 * carry no `Rendition-Name` (go-livepeer before v0.5.4 sent the renditions in profile order,
 * unnamed). A session's profiles are fixed when its Livepeer stream is created, so each is read
 * from the sessions table once; only answers with unnamed parts ask at all.
 */
@Injectable()
export class SessionProfiles {
  private readonly names = new Map<string, Promise<string[]>>();

  constructor(private readonly sessions: SessionRepository) {}

  namesOf(sessionId: string): Promise<string[]> {
    let names = this.names.get(sessionId);
    if (!names) {
      names = this.sessions.get(sessionId).then((session) => (session?.profiles ?? []).map((p) => p.name));
      // A failed read or a session not written yet is asked again next time, not remembered.
      names.then((found) => found.length === 0 && this.names.delete(sessionId)).catch(() => this.names.delete(sessionId));
      this.names.set(sessionId, names);
      if (this.names.size > CACHE_LIMIT) this.names.delete(this.names.keys().next().value!);
    }
    return names;
  }
}
