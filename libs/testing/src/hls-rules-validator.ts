import {
  MIN_WINDOW_TARGET_DURATIONS,
  PlaylistParseError,
  parseMasterPlaylist,
  parseMediaPlaylist,
  roundedDuration,
  writtenMilliseconds,
  type MediaPlaylist,
  type MediaSegment,
  type ParseLimits,
} from '@lib/hls';

/**
 * The checker of the playlist rules a player relies on (libs/hls/README.md, "Validator"). Rule ids carry the rule's number; R0 is RFC 8216
 * syntax that no numbered rule covers. Rule 6 (cadence) needs timing and rule 10 (serving) needs
 * HTTP; neither is checked here.
 */

export type HlsRuleId =
  | 'R0-syntax'
  | 'R0-version'
  | 'R1-target-duration'
  | 'R2-media-sequence'
  | 'R3-allowed-edits'
  | 'R4-discontinuity'
  | 'R5-window'
  | 'R7-end'
  | 'R8-missing-media'
  | 'R9-master-variant'
  | 'R11-program-date-time';

export interface Violation {
  rule: HlsRuleId;
  message: string;
}

export interface MediaValidationOptions {
  /** The stream's fixed target duration; when given, every version must declare exactly it. */
  targetDuration?: number;
  parseLimits?: Partial<ParseLimits>;
  /**
   * How far (seconds) the step between two program date-times may be from the earlier
   * segment's #EXTINF (default 0.5); at a discontinuity it may be any amount longer.
   */
  programDateTimeToleranceSec?: number;
}

const DEFAULT_PDT_TOLERANCE_SEC = 0.5;

/** Violations of one media playlist version on its own. */
export function validateMediaPlaylist(text: string, options: MediaValidationOptions = {}): Violation[] {
  const parsed = parseOrViolation(() => parseMediaPlaylist(text, options.parseLimits));
  return 'rule' in parsed ? [parsed] : versionViolations(parsed, options);
}

/**
 * Violations between two versions of one media playlist, `prevText` older than `nextText`.
 * The versions need not be adjacent (a poller may miss some): the checks hold across any number
 * of allowed edits, and the discontinuity sequence is checked exactly only when every removed
 * segment was listed in `prevText`.
 */
export function validatePlaylistTransition(
  prevText: string,
  nextText: string,
  options: Pick<MediaValidationOptions, 'parseLimits'> = {},
): Violation[] {
  const prev = parseOrViolation(() => parseMediaPlaylist(prevText, options.parseLimits));
  const next = parseOrViolation(() => parseMediaPlaylist(nextText, options.parseLimits));
  if ('rule' in prev || 'rule' in next) {
    return [prev, next].filter((p): p is Violation => 'rule' in p);
  }
  return transitionViolations(prev, next);
}

/** Rule 9: every variant has BANDWIDTH, RESOLUTION and CODECS. */
export function validateMasterPlaylist(text: string, options: Pick<MediaValidationOptions, 'parseLimits'> = {}): Violation[] {
  const parsed = parseOrViolation(() => parseMasterPlaylist(text, options.parseLimits));
  if ('rule' in parsed) return [parsed];
  const violations: Violation[] = [];
  for (const variant of parsed.variants) {
    const problems = [
      variant.bandwidth > 0 ? undefined : 'BANDWIDTH is 0',
      variant.resolution ? undefined : 'no RESOLUTION',
      variant.codecs ? undefined : 'no CODECS',
    ].filter(Boolean);
    if (problems.length > 0) {
      violations.push({ rule: 'R9-master-variant', message: `variant ${variant.uri}: ${problems.join(', ')}` });
    }
  }
  return violations;
}

export interface HistoryViolation extends Violation {
  /** 0-based index of the version (distinct body) it was found in. */
  version: number;
}

/**
 * Feed it every version of one media playlist as they are observed (e.g. by polling); it checks
 * each version and each transition from the last parseable one, and keeps every violation.
 * A body equal to the previous one is the same version and is skipped.
 */
export class PlaylistHistoryValidator {
  private readonly found: HistoryViolation[] = [];
  private lastText: string | undefined;
  private lastParsed: MediaPlaylist | undefined;
  private versions = 0;

  constructor(private readonly options: MediaValidationOptions = {}) {}

  /** Checks the next version; returns its violations (also accumulated in `violations`). */
  push(text: string): Violation[] {
    if (text === this.lastText) return [];
    this.lastText = text;
    const version = this.versions;
    this.versions += 1;

    const parsed = parseOrViolation(() => parseMediaPlaylist(text, this.options.parseLimits));
    let violations: Violation[];
    if ('rule' in parsed) {
      violations = [parsed];
    } else {
      violations = versionViolations(parsed, this.options);
      if (this.lastParsed) violations.push(...transitionViolations(this.lastParsed, parsed));
      this.lastParsed = parsed;
    }
    this.found.push(...violations.map((violation) => ({ ...violation, version })));
    return violations;
  }

  get violations(): readonly HistoryViolation[] {
    return this.found;
  }

  /** Distinct versions seen so far. */
  get versionCount(): number {
    return this.versions;
  }
}

// ---------------------------------------------------------------------------------------------

/** A parse failure, attributed to the rule of the tag at fault when there is one. */
const RULE_OF_TAG: Record<string, HlsRuleId> = {
  '#EXT-X-TARGETDURATION': 'R1-target-duration',
  '#EXT-X-MEDIA-SEQUENCE': 'R2-media-sequence',
  '#EXT-X-DISCONTINUITY-SEQUENCE': 'R4-discontinuity',
  '#EXT-X-PLAYLIST-TYPE': 'R7-end',
  BANDWIDTH: 'R9-master-variant',
  RESOLUTION: 'R9-master-variant',
  CODECS: 'R9-master-variant',
};

function parseOrViolation<T>(parse: () => T): T | Violation {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof PlaylistParseError)) throw error;
    const rule = (error.tag !== undefined && RULE_OF_TAG[error.tag]) || 'R0-syntax';
    return { rule, message: `unparseable: ${error.message}` };
  }
}

function versionViolations(playlist: MediaPlaylist, options: MediaValidationOptions): Violation[] {
  const violations: Violation[] = [];
  const version = playlist.version ?? 1;
  const { targetDuration } = playlist;

  if (options.targetDuration !== undefined && targetDuration !== options.targetDuration) {
    violations.push({
      rule: 'R1-target-duration',
      message: `target duration is ${targetDuration}, the stream's is ${options.targetDuration}`,
    });
  }
  forEachSegment(playlist, (segment, label) => {
    if (roundedDuration(segment.duration) > targetDuration) {
      violations.push({
        rule: 'R1-target-duration',
        message: `${label} lasts ${segment.duration} s, which rounds above the target duration ${targetDuration}`,
      });
    }
    if (!Number.isInteger(segment.duration) && version < 3) {
      violations.push({ rule: 'R0-version', message: `${label} has a fractional #EXTINF, which needs version 3 (has ${version})` });
    }
    if (segment.gap && version < 8) {
      violations.push({ rule: 'R8-missing-media', message: `${label} is an #EXT-X-GAP, which needs version 8 (has ${version})` });
    }
  });
  violations.push(...programDateTimeViolations(playlist, options.programDateTimeToleranceSec ?? DEFAULT_PDT_TOLERANCE_SEC));
  if (playlist.playlistType !== undefined && !playlist.endList) {
    violations.push({ rule: 'R7-end', message: `a live playlist carries #EXT-X-PLAYLIST-TYPE:${playlist.playlistType}` });
  }
  return violations;
}

/**
 * Rule 11: once a segment has #EXT-X-PROGRAM-DATE-TIME every later one has it, and each steps
 * forward by about the previous segment's #EXTINF (further only at a discontinuity).
 */
function programDateTimeViolations(playlist: MediaPlaylist, toleranceSec: number): Violation[] {
  const violations: Violation[] = [];
  forEachSegment(playlist, (segment, label, index) => {
    const previous = playlist.segments[index - 1];
    if (previous?.programDateTime === undefined) return;
    if (segment.programDateTime === undefined) {
      violations.push({ rule: 'R11-program-date-time', message: `${label} has no program date-time although the segment before has one` });
      return;
    }
    const stepSec = (segment.programDateTime - previous.programDateTime) / 1000;
    const expectedSec = writtenMilliseconds(previous.duration) / 1000;
    const tooShort = stepSec <= 0 || stepSec < expectedSec - toleranceSec;
    const tooLong = !segment.discontinuity && stepSec > expectedSec + toleranceSec;
    if (tooShort || tooLong) {
      violations.push({
        rule: 'R11-program-date-time',
        message: `${label}: program date-time steps ${stepSec} s after the previous segment, which lasts ${expectedSec} s`,
      });
    }
  });
  return violations;
}

function transitionViolations(prev: MediaPlaylist, next: MediaPlaylist): Violation[] {
  const violations: Violation[] = [];
  const add = (rule: HlsRuleId, message: string) => violations.push({ rule, message });

  if (next.targetDuration !== prev.targetDuration) {
    add('R1-target-duration', `target duration changed from ${prev.targetDuration} to ${next.targetDuration}`);
  }
  if (next.version !== prev.version) add('R3-allowed-edits', `#EXT-X-VERSION changed from ${prev.version} to ${next.version}`);
  if (next.playlistType !== prev.playlistType) {
    add('R3-allowed-edits', `#EXT-X-PLAYLIST-TYPE changed from ${prev.playlistType} to ${next.playlistType}`);
  }
  if (prev.endList && !next.endList) add('R7-end', '#EXT-X-ENDLIST was removed');
  if (next.mediaSequence < prev.mediaSequence) {
    add('R2-media-sequence', `media sequence went back from ${prev.mediaSequence} to ${next.mediaSequence}`);
    return violations; // segments cannot be matched up any more
  }

  // Segments are matched by media sequence number: prev lists [prev.msn, prevEnd), next [next.msn, nextEnd).
  const removed = next.mediaSequence - prev.mediaSequence;
  const prevEnd = prev.mediaSequence + prev.segments.length;
  const nextEnd = next.mediaSequence + next.segments.length;
  if (nextEnd < prevEnd) {
    add('R3-allowed-edits', `${Math.min(prevEnd - nextEnd, prev.segments.length)} segment(s) removed from the tail`);
  }
  for (let msn = next.mediaSequence; msn < Math.min(prevEnd, nextEnd); msn += 1) {
    const change = segmentChange(prev.segments[msn - prev.mediaSequence], next.segments[msn - next.mediaSequence]);
    if (change) add('R3-allowed-edits', `segment ${msn} was modified: ${change}`);
  }
  if (prev.endList && nextEnd > prevEnd) add('R7-end', `${nextEnd - prevEnd} segment(s) appended after #EXT-X-ENDLIST`);

  // Rule 4: the discontinuity sequence grows by the discontinuities that left the window.
  const leftAndSeen = prev.segments.slice(0, Math.min(removed, prev.segments.length));
  const leftUnseen = Math.max(0, removed - prev.segments.length);
  const expected = leftAndSeen.filter((segment) => segment.discontinuity).length;
  const increment = next.discontinuitySequence - prev.discontinuitySequence;
  if (increment < 0) {
    add('R4-discontinuity', `discontinuity sequence went back from ${prev.discontinuitySequence} to ${next.discontinuitySequence}`);
  } else if (increment < expected || increment > expected + leftUnseen) {
    const should = leftUnseen === 0 ? `${expected}` : `between ${expected} and ${expected + leftUnseen}`;
    add('R4-discontinuity', `discontinuity sequence grew by ${increment}, should be ${should} (discontinuities that left the window)`);
  }

  // Rule 5: removing from the head must not leave less than 3 target durations while live.
  const listedMs = next.segments.reduce((sum, segment) => sum + writtenMilliseconds(segment.duration), 0);
  const minimumMs = MIN_WINDOW_TARGET_DURATIONS * next.targetDuration * 1000;
  if (removed > 0 && !next.endList && listedMs < minimumMs) {
    add('R5-window', `segments were removed although only ${listedMs / 1000} s remain (< ${minimumMs / 1000} s)`);
  }
  return violations;
}

/** What differs between two listings of the same segment, or undefined. */
function segmentChange(before: MediaSegment, after: MediaSegment): string | undefined {
  if (before.uri !== after.uri) return `URI ${before.uri} -> ${after.uri}`;
  if (writtenMilliseconds(before.duration) !== writtenMilliseconds(after.duration)) {
    return `duration ${before.duration} -> ${after.duration}`;
  }
  if (before.discontinuity !== after.discontinuity) return `discontinuity ${before.discontinuity} -> ${after.discontinuity}`;
  if (before.gap !== after.gap) return `gap ${before.gap} -> ${after.gap}`;
  if (before.programDateTime !== after.programDateTime) {
    return `program date-time ${dateTimeText(before.programDateTime)} -> ${dateTimeText(after.programDateTime)}`;
  }
  return undefined;
}

const dateTimeText = (epochMs: number | undefined) => (epochMs === undefined ? 'none' : new Date(epochMs).toISOString());

function forEachSegment(playlist: MediaPlaylist, visit: (segment: MediaSegment, label: string, index: number) => void): void {
  playlist.segments.forEach((segment, index) => visit(segment, `segment ${playlist.mediaSequence + index} (${segment.uri})`, index));
}
