/**
 * Pure view logic of the overview: how far viewers are behind live, how much trouble a stream
 * is in and why, and the order of the cards (trouble first). No DOM here, so it is unit-tested.
 */
import type { OverviewCard } from './api-types.js';

/** 0 fine, 1 worth a look, 2 in trouble. */
export type TroubleLevel = 0 | 1 | 2;

export interface Trouble {
  level: TroubleLevel;
  /** Why, in words an operator reads at a glance; empty when fine. */
  reasons: string[];
}

/** Target duration assumed for a session that has not declared one yet (seconds). */
const DEFAULT_TARGET_SECONDS = 2;
/** Statuses a transcoder reports when all is well (anything else is shown as trouble). */
const HEALTHY_TRANSCODE = new Set(['ok', 'healthy', 'running', 'transcoding', 'live', 'normal']);

/**
 * Viewers' delay behind live: a player's live edge is the end of the newest listed segment, its
 * #EXT-X-PROGRAM-DATE-TIME plus its duration; now minus that (never below 0: the clocks of two
 * machines may disagree by a little). Null while nothing is listed.
 */
export function delayBehindLiveMs(newestProgramDateTime: number | null, newestDurationMs: number | null, nowMs: number): number | null {
  if (newestProgramDateTime === null) return null;
  return Math.max(0, nowMs - (newestProgramDateTime + (newestDurationMs ?? 0)));
}

export function troubleOf(card: OverviewCard, nowMs: number): Trouble {
  const target = (card.targetDuration ?? DEFAULT_TARGET_SECONDS) * 1000;
  const found: { level: TroubleLevel; reason: string }[] = [];
  const delay = delayBehindLiveMs(card.newestProgramDateTime, card.newestDurationMs, nowMs);
  if (delay === null) {
    // A few segments' time to get the first one out is normal; much longer is not.
    const waiting = nowMs - card.startedAt;
    found.push({ level: waiting > 6 * target ? 2 : 1, reason: 'nothing republished yet' });
  } else if (delay > 6 * target) {
    found.push({ level: 2, reason: `far behind live (${Math.round(delay / 1000)} s)` });
  } else if (delay > 3 * target) {
    found.push({ level: 1, reason: `behind live (${Math.round(delay / 1000)} s)` });
  }
  if (card.drops.total >= 5) found.push({ level: 2, reason: `${card.drops.total} segments dropped` });
  else if (card.drops.total > 0)
    found.push({ level: 1, reason: `${card.drops.total} segment${card.drops.total === 1 ? '' : 's'} dropped` });
  const transcode = card.transcode;
  if (transcode?.status && !HEALTHY_TRANSCODE.has(transcode.status.toLowerCase())) {
    found.push({ level: 2, reason: `transcode ${transcode.status}` });
  }
  if (transcode?.speedFactor !== null && transcode?.speedFactor !== undefined) {
    if (transcode.speedFactor < 1)
      found.push({ level: 2, reason: `transcoding slower than real time (${transcode.speedFactor.toFixed(2)}x)` });
    else if (transcode.speedFactor < 1.1)
      found.push({ level: 1, reason: `transcoding barely real time (${transcode.speedFactor.toFixed(2)}x)` });
  }
  if (card.state !== 'live') found.push({ level: 1, reason: card.state });
  const level = found.reduce<TroubleLevel>((worst, f) => (f.level > worst ? f.level : worst), 0);
  return { level, reasons: found.sort((a, b) => b.level - a.level).map((f) => f.reason) };
}

/** Delays are compared in steps of this much, so cards do not swap places over a second's jitter. */
export const DELAY_SORT_STEP_MS = 10_000;

/**
 * Trouble first; then more drops, then further behind live (in steps of DELAY_SORT_STEP_MS); then
 * by name, so cards in the same state keep still from one update to the next.
 */
export function sortByTrouble(cards: readonly OverviewCard[], nowMs: number): OverviewCard[] {
  const keyed = cards.map((card) => {
    const delay = delayBehindLiveMs(card.newestProgramDateTime, card.newestDurationMs, nowMs);
    return {
      card,
      level: troubleOf(card, nowMs).level,
      delay: delay === null ? Number.POSITIVE_INFINITY : Math.floor(delay / DELAY_SORT_STEP_MS),
    };
  });
  keyed.sort(
    (a, b) =>
      b.level - a.level ||
      b.card.drops.total - a.card.drops.total ||
      b.delay - a.delay ||
      (a.card.streamName ?? '').localeCompare(b.card.streamName ?? '') ||
      a.card.sessionId.localeCompare(b.card.sessionId),
  );
  return keyed.map((k) => k.card);
}

/** "12.3 s" / "2 min 5 s": a delay as people read it. */
export function delayText(ms: number | null): string {
  if (ms === null) return 'not live yet';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
