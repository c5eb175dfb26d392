import { appendSegment, createWindow, endWindow, nextMsn, slideWindow, type PlaylistWindow, type WindowSegment } from '@lib/hls';

/**
 * The sliding window of one republished media playlist, rebuilt from the rows the database
 * keeps for it. Replaying the newest rows through the same append + slide steps the writer used
 * gives the window the previous writer had, so a restart or a takeover continues the media
 * sequence and the discontinuity sequence exactly (docs/hls-rules.md rules 2 and 4).
 */

export interface ListedRow {
  msn: number;
  durationMs: number;
  discontinuity: boolean;
  /** The program date-time the row recorded (null in rows written before there was one). */
  programDateTime?: number | null;
  /** Listed with `#EXT-X-GAP` (the variant had no media for the msn). */
  gap?: boolean;
}

/** Segment URIs are relative to the media playlist: `{msn}.ts`. */
export const segmentUri = (msn: number) => `${msn}.ts`;

export interface RebuildInput {
  targetDuration: number;
  windowSize: number;
  /** The newest rows of this rendition, in msn order (enough to refill a window). */
  rows: readonly ListedRow[];
  /** Discontinuities of the stream before the first row's msn (the discontinuity sequence there). */
  discontinuitiesBefore: number;
  /** The stream's next msn, where an empty playlist starts. */
  nextStreamMsn: number;
  ended: boolean;
}

export function rebuildWindow(input: RebuildInput): PlaylistWindow {
  const rows = trailingRun(input.rows);
  if (rows.length === 0) {
    return createWindow({
      targetDuration: input.targetDuration,
      mediaSequence: input.nextStreamMsn,
      discontinuitySequence: input.discontinuitiesBefore,
    });
  }
  let window = createWindow({
    targetDuration: input.targetDuration,
    mediaSequence: rows[0].msn,
    discontinuitySequence: input.discontinuitiesBefore,
  });
  for (const row of rows) {
    window = appendSegment(window, {
      msn: row.msn,
      uri: segmentUri(row.msn),
      durationSec: fitDuration(row.durationMs, input.targetDuration),
      discontinuity: row.discontinuity,
      programDateTime: row.programDateTime,
      gap: row.gap,
    });
    window = slideWindow(window, input.windowSize).window;
  }
  return input.ended ? endWindow(window) : window;
}

/**
 * Makes a window ready to take the segment `msn`: reopens an ended window (a new session after the
 * stream ended) and, when the rendition missed some of the stream's segments (it was not in the
 * ladder for a while), starts a fresh window at `msn` with the stream's discontinuity sequence.
 * The discontinuity tag itself comes with the segment: it is a property of the stream's msn,
 * the same in every variant.
 */
export function continueAt(window: PlaylistWindow, msn: number, discontinuitiesBefore: number): PlaylistWindow {
  const reopened: PlaylistWindow = window.ended ? { ...window, ended: false } : window;
  if (nextMsn(reopened) === msn) return reopened;
  return createWindow({ targetDuration: window.targetDuration, mediaSequence: msn, discontinuitySequence: discontinuitiesBefore });
}

/** What a variant's media playlist declares now, as players have read it. */
export interface DeclaredPlaylist {
  targetDuration: number;
  mediaSequence: number;
  ended: boolean;
}

export interface Continuation {
  /** The target duration the variant's playlist declares from now on. */
  targetDuration: number;
  /** The playlist cannot go on under this session: it ends (if live) and a new one starts. */
  startAnew: boolean;
}

/**
 * How a new session's segments join a variant's playlist (docs/architecture.md, "Target
 * duration"). EXT-X-TARGETDURATION never changes in a playlist and no segment may round above
 * it, so a session whose target duration is not larger continues under the declared one (its
 * segments fit), and a larger one ends the playlist and starts a new one with its own: players
 * stop at the #EXT-X-ENDLIST, and those that load the stream again read the new playlist.
 */
export function continuationFor(declared: DeclaredPlaylist | undefined, sessionTargetDuration: number): Continuation {
  if (!declared || sessionTargetDuration <= declared.targetDuration) {
    return { targetDuration: Math.max(declared?.targetDuration ?? 0, sessionTargetDuration), startAnew: false };
  }
  return { targetDuration: sessionTargetDuration, startAnew: true };
}

export interface NextListing {
  msn: number;
  durationMs: number;
  discontinuity: boolean;
  /** The msn's program date-time (see programDateTimeOf), the same in every variant. */
  programDateTime?: number | null;
  /** This variant has no media for the msn: listed with `#EXT-X-GAP` (the other variants have it). */
  gap?: boolean;
  /** The session's target duration; a window declaring a smaller one is started afresh. */
  targetDuration: number;
  windowSize: number;
  /** The stream's discontinuity sequence at `msn` (for a window started afresh). */
  discontinuitiesBefore: number;
}

/** Appends the stream's next segment to a variant's window (or a new window) and slides it. */
export function appendListing(
  existing: PlaylistWindow | undefined,
  next: NextListing,
): { window: PlaylistWindow; unlisted: readonly WindowSegment[] } {
  const window =
    existing && existing.targetDuration >= next.targetDuration
      ? continueAt(existing, next.msn, next.discontinuitiesBefore)
      : createWindow({ targetDuration: next.targetDuration, mediaSequence: next.msn, discontinuitySequence: next.discontinuitiesBefore });
  const appended = appendSegment(window, {
    msn: next.msn,
    uri: segmentUri(next.msn),
    durationSec: fitDuration(next.durationMs, window.targetDuration),
    discontinuity: next.discontinuity,
    programDateTime: next.programDateTime,
    gap: next.gap,
  });
  return slideWindow(appended, next.windowSize);
}

/** The stream's previous listed segment, as far as the next one's program date-time is concerned. */
export interface PreviousListing {
  programDateTime: number | null;
  durationMs: number | null;
}

/**
 * The program date-time the stream's next msn is written with (in every variant, and recorded
 * with its rows): when ingest says its first frame arrived (`startedAt`), kept strictly after the
 * previous listed segment's, and after that segment's end at a discontinuity (a reconnect or a
 * skipped segment may only jump forwards). A segment ingest gave no time (rows from before
 * there was one) continues from the previous one, so a playlist with program date-times has
 * one on every segment. Undefined when neither is known.
 */
export function programDateTimeOf(
  startedAt: number | null | undefined,
  previous: PreviousListing | undefined,
  discontinuity: boolean,
): number | undefined {
  const before = previous?.programDateTime ?? undefined;
  const previousEnd = before === undefined ? undefined : before + Math.max(previous?.durationMs ?? 1, 1);
  if (startedAt === null || startedAt === undefined) return previousEnd;
  if (before === undefined) return startedAt;
  return Math.max(startedAt, discontinuity ? previousEnd! : before + 1);
}

/** Rows after the last msn gap (a gap means the rendition was absent from the stream for a while). */
function trailingRun(rows: readonly ListedRow[]): readonly ListedRow[] {
  let start = rows.length - 1;
  while (start > 0 && rows[start - 1].msn + 1 === rows[start].msn) start--;
  return rows.slice(Math.max(start, 0));
}

/**
 * Seconds for `#EXTINF`. A segment longer than the fixed target duration (a publisher that
 * overshoots its keyframe interval) is written as the target duration rather than breaking
 * rule 1 for the whole playlist; players play the media, whatever the tag says.
 */
export function fitDuration(durationMs: number, targetDuration: number): number {
  const seconds = Math.max(durationMs, 1) / 1000;
  return Math.round(seconds) > targetDuration ? targetDuration : seconds;
}

export type { PlaylistWindow, WindowSegment };
