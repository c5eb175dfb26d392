import { PlaylistWindowError } from './errors';
import {
  formatDuration,
  formatProgramDateTime,
  integerProblem,
  programDateTimeProblem,
  roundedDuration,
  uriProblem,
  writtenMilliseconds,
} from './format';

/**
 * The sliding-window state of one republished media playlist, as pure data with immutable updates.
 * The state is plain JSON, so the stitcher can persist it and continue the media sequence after a
 * restart (docs/hls-rules.md rule 2). `writeMediaPlaylist(state)` serialises it.
 *
 * Rules kept here: target duration fixed at creation (1); media sequence only grows, one per
 * segment removed from the head (2); only tail appends and head removals (3); a discontinuity is
 * carried by the segment after the break, and the discontinuity sequence grows when such a segment
 * leaves (4); at least 3 target durations stay listed while live (5); nothing changes after the end (7).
 */

export const DEFAULT_WINDOW_SEGMENTS = 10;
/** docs/hls-rules.md rule 5: a live playlist never lists less than this many target durations. */
export const MIN_WINDOW_TARGET_DURATIONS = 3;

export interface WindowSegment {
  /** Media sequence number of this segment in the republished playlist. */
  readonly msn: number;
  readonly uri: string;
  /** Seconds, kept at the millisecond precision the playlist is written with. */
  readonly durationSec: number;
  /** Preceded by `#EXT-X-DISCONTINUITY`. */
  readonly discontinuity: boolean;
  /** Epoch ms of the segment's first frame (`#EXT-X-PROGRAM-DATE-TIME`), when known. */
  readonly programDateTime?: number;
  /** Listed with `#EXT-X-GAP`: this variant has no media for the msn (docs/hls-rules.md rule 8); absent means false. */
  readonly gap?: boolean;
}

export interface PlaylistWindow {
  readonly targetDuration: number;
  /** MSN of the first listed segment (or of the next one, when nothing is listed). */
  readonly mediaSequence: number;
  readonly discontinuitySequence: number;
  readonly segments: readonly WindowSegment[];
  readonly ended: boolean;
  /** A discontinuity was marked; the next appended segment carries it. */
  readonly pendingDiscontinuity: boolean;
}

export interface NewSegment {
  readonly msn: number;
  readonly uri: string;
  readonly durationSec: number;
  /** Force a discontinuity before this segment (same as `markDiscontinuity` first). */
  readonly discontinuity?: boolean;
  /**
   * Epoch ms of the segment's first frame. Absent or null after a segment that has one, it is
   * derived from that one (its time plus its duration): once a playlist has program
   * date-times, every later segment has one.
   */
  readonly programDateTime?: number | null;
  /** No media for this msn in this variant: listed with `#EXT-X-GAP`, keeping the msn aligned with the other variants. */
  readonly gap?: boolean;
}

export interface SlideResult {
  readonly window: PlaylistWindow;
  /** Segments no longer listed; delete their objects later than now (rule 5), not at once. */
  readonly unlisted: readonly WindowSegment[];
}

export function createWindow(init: { targetDuration: number; mediaSequence?: number; discontinuitySequence?: number }): PlaylistWindow {
  const { targetDuration, mediaSequence = 0, discontinuitySequence = 0 } = init;
  requireInteger('targetDuration', targetDuration, 1);
  requireInteger('mediaSequence', mediaSequence, 0);
  requireInteger('discontinuitySequence', discontinuitySequence, 0);
  return { targetDuration, mediaSequence, discontinuitySequence, segments: [], ended: false, pendingDiscontinuity: false };
}

/** The MSN the next appended segment must have. */
export function nextMsn(window: PlaylistWindow): number {
  return window.mediaSequence + window.segments.length;
}

/** Seconds of media listed (sum of the written durations). */
export function listedDuration(window: Pick<PlaylistWindow, 'segments'>): number {
  return listedMilliseconds(window.segments) / 1000;
}

export function appendSegment(window: PlaylistWindow, segment: NewSegment): PlaylistWindow {
  requireLive(window, 'append a segment');
  const expected = nextMsn(window);
  if (segment.msn !== expected) {
    throw new PlaylistWindowError(`segment msn ${segment.msn} is not the next one (${expected})`);
  }
  const problem = uriProblem(segment.uri);
  if (problem) throw new PlaylistWindowError(`segment ${segment.msn}: URI ${problem}`);
  if (!Number.isFinite(segment.durationSec) || writtenMilliseconds(segment.durationSec) <= 0) {
    throw new PlaylistWindowError(`segment ${segment.msn}: duration ${segment.durationSec} is not a positive number`);
  }
  if (roundedDuration(segment.durationSec) > window.targetDuration) {
    throw new PlaylistWindowError(
      `segment ${segment.msn}: duration ${formatDuration(segment.durationSec)} s rounds above the fixed target duration ${window.targetDuration} s`,
    );
  }
  const programDateTime = programDateTimeAfter(window.segments.at(-1), segment);
  const added: WindowSegment = {
    msn: segment.msn,
    uri: segment.uri,
    durationSec: writtenMilliseconds(segment.durationSec) / 1000,
    discontinuity: Boolean(segment.discontinuity) || window.pendingDiscontinuity,
    ...(programDateTime === undefined ? {} : { programDateTime }),
    ...(segment.gap ? { gap: true } : {}),
  };
  return { ...window, segments: [...window.segments, added], pendingDiscontinuity: false };
}

/** The next appended segment will carry `#EXT-X-DISCONTINUITY` (restart, lost segment, new session). */
export function markDiscontinuity(window: PlaylistWindow): PlaylistWindow {
  requireLive(window, 'mark a discontinuity');
  return window.pendingDiscontinuity ? window : { ...window, pendingDiscontinuity: true };
}

/**
 * Removes segments from the head until at most `windowSize` remain, but never below
 * 3 target durations of listed media. An ended window no longer changes.
 */
export function slideWindow(window: PlaylistWindow, windowSize = DEFAULT_WINDOW_SEGMENTS): SlideResult {
  requireInteger('windowSize', windowSize, 1);
  if (window.ended) return { window, unlisted: [] };

  const excess = window.segments.length - windowSize;
  if (excess <= 0) return { window, unlisted: [] };
  // The head may go up to the last segment from which the tail still lasts the minimum: found
  // from the end (a few segments), so a long DVR window does not sum its whole length per append.
  const minimumMs = MIN_WINDOW_TARGET_DURATIONS * window.targetDuration * 1000;
  let firstKept = window.segments.length;
  let tailMs = 0;
  while (firstKept > 0 && tailMs < minimumMs) {
    firstKept -= 1;
    tailMs += writtenMilliseconds(window.segments[firstKept].durationSec);
  }
  const removed = tailMs >= minimumMs ? Math.min(excess, firstKept) : 0;
  if (removed === 0) return { window, unlisted: [] };

  const unlisted = window.segments.slice(0, removed);
  return {
    window: {
      ...window,
      mediaSequence: window.mediaSequence + removed,
      discontinuitySequence: window.discontinuitySequence + unlisted.filter((s) => s.discontinuity).length,
      segments: window.segments.slice(removed),
    },
    unlisted,
  };
}

/** The stream ended: the playlist gets `#EXT-X-ENDLIST` and is final. Idempotent. */
export function endWindow(window: PlaylistWindow): PlaylistWindow {
  return window.ended ? window : { ...window, ended: true, pendingDiscontinuity: false };
}

/** The appended segment's program date-time: its own (after the previous one), or derived from the previous. */
function programDateTimeAfter(previous: WindowSegment | undefined, segment: NewSegment): number | undefined {
  const before = previous?.programDateTime;
  const own = segment.programDateTime ?? undefined;
  if (own === undefined) return before === undefined ? undefined : before + writtenMilliseconds(previous!.durationSec);
  const problem = programDateTimeProblem(own);
  if (problem) throw new PlaylistWindowError(`segment ${segment.msn}: ${problem}`);
  if (before !== undefined && own <= before) {
    throw new PlaylistWindowError(
      `segment ${segment.msn}: program date-time ${formatProgramDateTime(own)} is not after the previous segment's`,
    );
  }
  return own;
}

function listedMilliseconds(segments: readonly WindowSegment[]): number {
  return segments.reduce((sum, segment) => sum + writtenMilliseconds(segment.durationSec), 0);
}

function requireLive(window: PlaylistWindow, action: string): void {
  if (window.ended) throw new PlaylistWindowError(`cannot ${action}: the playlist has ended`);
}

function requireInteger(what: string, value: number, minimum: number): void {
  const problem = integerProblem(what, value, minimum);
  if (problem) throw new PlaylistWindowError(problem);
}
