import { PlaylistWriteError } from './errors';
import {
  formatAttributeList,
  formatDuration,
  formatProgramDateTime,
  formatResolution,
  integerProblem,
  programDateTimeProblem,
  quoted,
  roundedDuration,
  uriProblem,
} from './format';
import type { Resolution } from './types';

/**
 * Serialises the relay's republished playlists (RFC 8216). The writer refuses a model that would
 * produce a playlist breaking docs/hls-rules.md rule 1 or RFC syntax, rather than emitting it.
 *
 * Choices:
 * - Master playlists declare `#EXT-X-VERSION:3` (float `#EXTINF` needs 3). Media playlists
 *   declare 8 always, because a rendition without media for an msn (every broadcaster down) is
 *   listed with `#EXT-X-GAP`, which needs 8, and the version may not change between two
 *   versions of a playlist (docs/hls-rules.md rules 3 and 8). Version 8 adds nothing else we write.
 * - `#EXT-X-DISCONTINUITY-SEQUENCE` always written, also when 0: the header is then identical in
 *   every version and never "appears" between two versions.
 * - No `#EXT-X-PLAYLIST-TYPE` on the live playlists: the republished stream is a live sliding
 *   window; `#EXT-X-ENDLIST` alone tells a player it has ended. A recording's playlists are
 *   written whole once (`playlistType: 'VOD'`, which needs `ended`).
 * - `#EXT-X-PROGRAM-DATE-TIME` before every segment that has one (UTC, milliseconds): once a
 *   segment has one, every later segment has one too and the times strictly increase, so a
 *   player never has to extrapolate across a segment that lacks it.
 */

export const WRITTEN_PLAYLIST_VERSION = 3;
/** Media playlists: `#EXT-X-GAP` needs 8 (RFC 8216bis §4.4.4.7). */
export const WRITTEN_MEDIA_PLAYLIST_VERSION = 8;

export interface WritableSegment {
  readonly uri: string;
  readonly durationSec: number;
  readonly discontinuity?: boolean;
  /** Epoch ms when the segment's first frame reached ingest (`#EXT-X-PROGRAM-DATE-TIME`). */
  readonly programDateTime?: number;
  /** `#EXT-X-GAP`: the URI holds no media and players do not load it. */
  readonly gap?: boolean;
}

/** Structurally satisfied by the sliding window's state (`window.ts`). */
export interface MediaPlaylistModel {
  readonly targetDuration: number;
  readonly mediaSequence: number;
  readonly discontinuitySequence: number;
  readonly segments: readonly WritableSegment[];
  readonly ended: boolean;
  /** `VOD` only for a complete, ended playlist (a recording). */
  readonly playlistType?: 'VOD';
}

export interface VariantStreamModel {
  readonly uri: string;
  /** Peak bits per second. */
  readonly bandwidth: number;
  readonly averageBandwidth?: number;
  readonly resolution: Resolution;
  /** Every format present, e.g. `avc1.64001f,mp4a.40.2` (unquoted). */
  readonly codecs: string;
  readonly frameRate?: number;
}

export interface MasterPlaylistModel {
  readonly variants: readonly VariantStreamModel[];
}

export function writeMediaPlaylist(model: MediaPlaylistModel): string {
  requireInteger('targetDuration', model.targetDuration, 1);
  requireInteger('mediaSequence', model.mediaSequence, 0);
  requireInteger('discontinuitySequence', model.discontinuitySequence, 0);
  if (model.playlistType === 'VOD' && !model.ended) throw new PlaylistWriteError('a VOD playlist must be ended (#EXT-X-ENDLIST)');

  const lines = [
    '#EXTM3U',
    `#EXT-X-VERSION:${WRITTEN_MEDIA_PLAYLIST_VERSION}`,
    `#EXT-X-TARGETDURATION:${model.targetDuration}`,
    `#EXT-X-MEDIA-SEQUENCE:${model.mediaSequence}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${model.discontinuitySequence}`,
    ...(model.playlistType ? [`#EXT-X-PLAYLIST-TYPE:${model.playlistType}`] : []),
  ];
  let previousDateTime: number | undefined;
  model.segments.forEach((segment, index) => {
    const where = () => segmentWhere(index, segment);
    if (segment.programDateTime === undefined && previousDateTime !== undefined) {
      throw new PlaylistWriteError(`${where()}: no program date-time although an earlier segment has one`);
    }
    if (segment.programDateTime !== undefined && previousDateTime !== undefined && segment.programDateTime <= previousDateTime) {
      throw new PlaylistWriteError(
        `${where()}: program date-time ${formatProgramDateTime(segment.programDateTime)} is not after the previous segment's`,
      );
    }
    previousDateTime = segment.programDateTime ?? previousDateTime;
    const rendered = renderedSegments.get(segment) ?? renderSegment(segment, where());
    if (rendered.roundedDuration > model.targetDuration) {
      throw new PlaylistWriteError(
        `${where()}: duration ${formatDuration(segment.durationSec)} s rounds above the target duration ${model.targetDuration} s`,
      );
    }
    lines.push(rendered.text);
  });
  if (model.ended) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

export function writeMasterPlaylist(model: MasterPlaylistModel): string {
  if (model.variants.length === 0) throw new PlaylistWriteError('a master playlist needs at least one variant');
  const lines = ['#EXTM3U', `#EXT-X-VERSION:${WRITTEN_PLAYLIST_VERSION}`];
  for (const variant of model.variants) {
    const where = `variant ${variant.uri}`;
    requireUri(where, variant.uri);
    requireInteger(`${where} bandwidth`, variant.bandwidth, 1);
    if (variant.averageBandwidth !== undefined) requireInteger(`${where} averageBandwidth`, variant.averageBandwidth, 1);
    requireInteger(`${where} resolution width`, variant.resolution.width, 1);
    requireInteger(`${where} resolution height`, variant.resolution.height, 1);
    if (!/^[^",\s]+(?:,[^",\s]+)*$/.test(variant.codecs)) {
      throw new PlaylistWriteError(`${where}: codecs "${variant.codecs}" is not a comma-separated list of formats`);
    }
    if (variant.frameRate !== undefined && !(Number.isFinite(variant.frameRate) && variant.frameRate > 0)) {
      throw new PlaylistWriteError(`${where}: frame rate ${variant.frameRate} is not a positive number`);
    }
    const attributes = formatAttributeList([
      ['BANDWIDTH', variant.bandwidth],
      ['AVERAGE-BANDWIDTH', variant.averageBandwidth],
      ['RESOLUTION', formatResolution(variant.resolution)],
      ['CODECS', quoted(variant.codecs)],
      // RFC 8216 §4.3.4.2: FRAME-RATE "SHOULD be rounded to three decimal places".
      ['FRAME-RATE', variant.frameRate?.toFixed(3)],
    ]);
    lines.push(`#EXT-X-STREAM-INF:${attributes}`, variant.uri);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The checked and formatted lines of one segment, kept per segment object: a sliding window
 * keeps its segment objects from one version to the next, so each is checked and formatted
 * once, and a long (DVR) window costs a join per write instead of formatting every date again
 * (docs/benchmarks.md, "Recordings, DVR and thumbnails"). What depends on the other segments or
 * the playlist (date order, the target duration) is checked on every write.
 */
const renderedSegments = new WeakMap<WritableSegment, { text: string; roundedDuration: number }>();

const segmentWhere = (index: number, segment: WritableSegment) => `segment ${index} (${segment.uri})`;

function renderSegment(segment: WritableSegment, where: string): { text: string; roundedDuration: number } {
  requireUri(where, segment.uri);
  if (!Number.isFinite(segment.durationSec) || segment.durationSec <= 0) {
    throw new PlaylistWriteError(`${where}: duration ${segment.durationSec} is not a positive number`);
  }
  const lines: string[] = [];
  if (segment.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
  if (segment.programDateTime !== undefined) {
    const problem = programDateTimeProblem(segment.programDateTime);
    if (problem) throw new PlaylistWriteError(`${where}: ${problem}`);
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${formatProgramDateTime(segment.programDateTime)}`);
  }
  if (segment.gap) lines.push('#EXT-X-GAP');
  lines.push(`#EXTINF:${formatDuration(segment.durationSec)},`, segment.uri);
  // WritableSegment's fields are readonly: an object's lines never change.
  const rendered = { text: lines.join('\n'), roundedDuration: roundedDuration(segment.durationSec) };
  renderedSegments.set(segment, rendered);
  return rendered;
}

function requireInteger(what: string, value: number, minimum: number): void {
  const problem = integerProblem(what, value, minimum);
  if (problem) throw new PlaylistWriteError(problem);
}

function requireUri(where: string, uri: string): void {
  const problem = uriProblem(uri);
  if (problem) throw new PlaylistWriteError(`${where}: URI ${problem}`);
}
