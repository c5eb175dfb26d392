/**
 * Which broadcaster a session's next segment goes to, as a pure function of what Redis
 * says (the shared assignment, the failures) and what the Livepeer API offers. The Redis
 * side (reading the view, the compare-and-set) is in assignment.service.ts.
 */

export interface AssignmentView {
  /** The session's broadcaster as every worker sees it, or null before the first pick. */
  current: string | null;
  /** Broadcasters the directory offers (GET /api/broadcaster, or the pinned one), in its order. */
  offered: string[];
  /**
   * Broadcasters to avoid, with the epoch ms of their latest failure: those that failed this
   * session recently, and those cooling down after failing anyone's upload.
   */
  avoided: ReadonlyMap<string, number>;
}

export interface PickStrategy {
  /**
   * `random`: uniformly among the usable ones (LivepeerWowza's rule, spreads sessions).
   * `ordered`: the first usable one in the directory's order (when a region is configured,
   * the API lists that region's broadcasters first).
   */
  mode: 'random' | 'ordered';
  random?: () => number;
}

export interface Choice {
  address: string;
  /** The session moves to `address` (the caller compare-and-sets it in Redis). */
  reassign: boolean;
  /**
   * Every candidate failed recently: `address` is the best bet (the one that failed longest
   * ago), but a retry on it should pause first instead of hammering it.
   */
  degraded: boolean;
}

/**
 * The rules, in order:
 * 1. The current broadcaster is kept while it is offered (or nothing is offered at all:
 *    the API is unreachable, so the last known good stays) and not avoided. Sessions are
 *    sticky: moving costs the broadcaster a new session and the playlist a discontinuity.
 * 2. Otherwise the session moves to a usable broadcaster (offered and not avoided).
 * 3. When every offered broadcaster is avoided, the one whose latest failure is oldest is
 *    the most likely to have recovered: use it, degraded.
 * 4. Nothing offered and nothing current: no choice (the caller waits and asks again).
 */
export function chooseBroadcaster(view: AssignmentView, strategy: PickStrategy = { mode: 'random' }): Choice | null {
  const { current, offered, avoided } = view;
  const currentOffered = current !== null && (offered.length === 0 || offered.includes(current));
  if (current !== null && currentOffered && !avoided.has(current)) {
    return { address: current, reassign: false, degraded: false };
  }

  const usable = offered.filter((address) => !avoided.has(address));
  if (usable.length > 0) {
    const address = pick(usable, strategy);
    return { address, reassign: address !== current, degraded: false };
  }

  const candidates = offered.length > 0 ? offered : current !== null ? [current] : [];
  if (candidates.length === 0) return null;
  const address = oldestFailure(candidates, avoided);
  return { address, reassign: address !== current, degraded: true };
}

function pick(usable: string[], strategy: PickStrategy): string {
  if (strategy.mode === 'ordered') return usable[0];
  const random = strategy.random ?? Math.random;
  return usable[Math.min(usable.length - 1, Math.floor(random() * usable.length))];
}

function oldestFailure(candidates: string[], avoided: ReadonlyMap<string, number>): string {
  let best = candidates[0];
  for (const address of candidates) {
    if ((avoided.get(address) ?? 0) < (avoided.get(best) ?? 0)) best = address;
  }
  return best;
}

/** Merges "failed this session at" and "cooling down since" into one map of latest failures. */
export function mergeFailures(...sources: Iterable<[string, number]>[]): Map<string, number> {
  const merged = new Map<string, number>();
  for (const source of sources) {
    for (const [address, at] of source) merged.set(address, Math.max(at, merged.get(address) ?? 0));
  }
  return merged;
}
