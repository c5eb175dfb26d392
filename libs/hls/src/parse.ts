import { PlaylistParseError } from './errors';
import type { MasterPlaylist, MediaPlaylist, MediaSegment, Playlist, Resolution, Variant } from './types';

/**
 * A small, strict parser for the playlists the relay reads (upstream amalgamated playlists,
 * its own output in tests). Syntax errors throw `PlaylistParseError` with the line number;
 * semantic rules (docs/hls-rules.md) are the validator's job. Every step is linear in the input
 * and bounded by `ParseLimits`, so hostile input can neither hang the parser nor exhaust memory.
 */

export interface ParseLimits {
  /** Largest accepted playlist, in UTF-8 bytes. */
  maxBytes: number;
  /** Longest accepted line, in characters. */
  maxLineLength: number;
  /** Most segments a media playlist may list. */
  maxSegments: number;
  /** Most variants a master playlist may list. */
  maxVariants: number;
}

export const DEFAULT_PARSE_LIMITS: Readonly<ParseLimits> = Object.freeze({
  maxBytes: 2 * 1024 * 1024,
  maxLineLength: 8 * 1024,
  maxSegments: 10_000,
  maxVariants: 100,
});

export type PlaylistKind = 'master' | 'media' | 'mixed' | 'unknown';

const MASTER_TAG = /^#EXT-X-STREAM-INF(?![\w-])/m;
const MEDIA_TAG = /^#EXT(?:INF|-X-TARGETDURATION|-X-MEDIA-SEQUENCE)(?![\w-])/m;

/** Master if it has `#EXT-X-STREAM-INF`; media if it has `#EXTINF`, `#EXT-X-TARGETDURATION` or `#EXT-X-MEDIA-SEQUENCE`. */
export function detectPlaylistKind(text: string): PlaylistKind {
  const master = MASTER_TAG.test(text);
  const media = MEDIA_TAG.test(text);
  if (master && media) return 'mixed';
  if (master) return 'master';
  return media ? 'media' : 'unknown';
}

export function parsePlaylist(text: string, limits?: Partial<ParseLimits>): Playlist {
  const effective = { ...DEFAULT_PARSE_LIMITS, ...limits };
  const lines = splitPlaylistLines(text, effective);
  const kind = detectPlaylistKind(text);
  switch (kind) {
    case 'master':
      return parseMasterLines(lines, effective);
    case 'media':
      return parseMediaLines(lines, effective);
    case 'mixed':
      throw new PlaylistParseError('playlist mixes master tags (#EXT-X-STREAM-INF) with media tags');
    default:
      throw new PlaylistParseError(
        'neither a master playlist (#EXT-X-STREAM-INF) nor a media playlist (#EXTINF, #EXT-X-TARGETDURATION, #EXT-X-MEDIA-SEQUENCE)',
      );
  }
}

export function parseMediaPlaylist(text: string, limits?: Partial<ParseLimits>): MediaPlaylist {
  const playlist = parsePlaylist(text, limits);
  if (playlist.kind !== 'media') throw new PlaylistParseError('expected a media playlist, got a master playlist');
  return playlist;
}

export function parseMasterPlaylist(text: string, limits?: Partial<ParseLimits>): MasterPlaylist {
  const playlist = parsePlaylist(text, limits);
  if (playlist.kind !== 'master') throw new PlaylistParseError('expected a master playlist, got a media playlist');
  return playlist;
}

/**
 * RFC 8216 §4.2 attribute list: `NAME=value` pairs separated by commas; quoted-string values keep
 * their quotes (so callers can tell `CODECS="..."` from an unquoted token). Names are unique.
 */
export function parseAttributeList(text: string, line?: number): Map<string, string> {
  const attributes = new Map<string, string>();
  let position = 0;
  while (position < text.length) {
    const equals = text.indexOf('=', position);
    if (equals < 0) throw new PlaylistParseError(`attribute "${excerpt(text.slice(position))}" has no "="`, line);
    const name = text.slice(position, equals);
    if (!/^[A-Z0-9-]+$/.test(name)) throw new PlaylistParseError(`invalid attribute name "${excerpt(name)}"`, line);
    if (attributes.has(name)) throw new PlaylistParseError(`attribute ${name} appears twice`, line, name);

    let end: number;
    if (text[equals + 1] === '"') {
      const closing = text.indexOf('"', equals + 2);
      if (closing < 0) throw new PlaylistParseError(`attribute ${name} has an unterminated quoted string`, line, name);
      end = closing + 1;
    } else {
      const comma = text.indexOf(',', equals + 1);
      end = comma < 0 ? text.length : comma;
    }
    attributes.set(name, text.slice(equals + 1, end));

    if (end < text.length && (text[end] !== ',' || end === text.length - 1)) {
      throw new PlaylistParseError(`expected another attribute after ${name}`, line, name);
    }
    position = end + 1;
  }
  return attributes;
}

// ---------------------------------------------------------------------------------------------

function splitPlaylistLines(text: string, limits: ParseLimits): string[] {
  // The cheap length test first: a UTF-16 length above the limit means at least as many bytes.
  if (text.length > limits.maxBytes || Buffer.byteLength(text, 'utf8') > limits.maxBytes) {
    throw new PlaylistParseError(`playlist is larger than ${limits.maxBytes} bytes`);
  }
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines = body.split(/\r?\n/).map((line) => line.trim());
  lines.forEach((line, index) => {
    if (line.length > limits.maxLineLength) {
      throw new PlaylistParseError(`line is longer than ${limits.maxLineLength} characters`, index + 1);
    }
  });
  if (lines[0] !== '#EXTM3U') throw new PlaylistParseError('the first line is not #EXTM3U', 1, '#EXTM3U');
  return lines;
}

interface Tag {
  name: string;
  value: string | undefined;
  line: number;
}

/** Walks the lines after `#EXTM3U`: hands tags to `onTag` and URI lines to `onUri`, skips blanks and comments. */
function walkLines(lines: string[], onTag: (tag: Tag) => void, onUri: (uri: string, line: number) => void): void {
  for (let index = 1; index < lines.length; index += 1) {
    const line = lines[index];
    const number = index + 1;
    if (line === '') continue;
    if (!line.startsWith('#')) {
      onUri(line, number);
    } else if (line.startsWith('#EXT')) {
      const colon = line.indexOf(':');
      onTag({
        name: colon < 0 ? line : line.slice(0, colon),
        value: colon < 0 ? undefined : line.slice(colon + 1),
        line: number,
      });
    }
    // Any other line starting with "#" is a comment.
  }
}

/** Rejects a second occurrence of a tag that RFC 8216 allows once per playlist. */
class SingleUseTags {
  private readonly seen = new Set<string>();

  claim(tag: Tag): void {
    if (tag.name === '#EXTM3U') throw new PlaylistParseError('#EXTM3U appears again', tag.line, tag.name);
    if (this.seen.has(tag.name)) throw new PlaylistParseError(`${tag.name} appears more than once`, tag.line, tag.name);
    this.seen.add(tag.name);
  }
}

interface PendingSegment {
  duration?: number;
  programDateTime?: number;
  title: string;
  discontinuity: boolean;
  gap: boolean;
  line: number;
}

function parseMediaLines(lines: string[], limits: ParseLimits): MediaPlaylist {
  const playlist: MediaPlaylist = {
    kind: 'media',
    version: undefined,
    targetDuration: -1,
    mediaSequence: 0,
    discontinuitySequence: 0,
    endList: false,
    playlistType: undefined,
    segments: [],
  };
  const singleUse = new SingleUseTags();
  let pending: PendingSegment = { title: '', discontinuity: false, gap: false, line: 0 };
  const beforeFirstSegment = () => playlist.segments.length === 0 && pending.duration === undefined;

  const onTag = (tag: Tag): void => {
    switch (tag.name) {
      case '#EXTM3U':
      case '#EXT-X-VERSION':
      case '#EXT-X-TARGETDURATION':
      case '#EXT-X-MEDIA-SEQUENCE':
      case '#EXT-X-DISCONTINUITY-SEQUENCE':
      case '#EXT-X-PLAYLIST-TYPE':
        singleUse.claim(tag);
        break;
    }
    switch (tag.name) {
      case '#EXT-X-VERSION':
        playlist.version = positiveInteger(tag);
        break;
      case '#EXT-X-TARGETDURATION':
        playlist.targetDuration = decimalInteger(requireValue(tag), tag);
        break;
      case '#EXT-X-MEDIA-SEQUENCE':
      case '#EXT-X-DISCONTINUITY-SEQUENCE': {
        if (!beforeFirstSegment()) throw new PlaylistParseError(`${tag.name} must come before the first segment`, tag.line, tag.name);
        const value = decimalInteger(requireValue(tag), tag);
        if (tag.name === '#EXT-X-MEDIA-SEQUENCE') playlist.mediaSequence = value;
        else playlist.discontinuitySequence = value;
        break;
      }
      case '#EXT-X-PLAYLIST-TYPE': {
        const value = requireValue(tag);
        if (value !== 'VOD' && value !== 'EVENT') {
          throw new PlaylistParseError(`${tag.name} must be VOD or EVENT, got "${excerpt(value)}"`, tag.line, tag.name);
        }
        playlist.playlistType = value;
        break;
      }
      case '#EXT-X-ENDLIST':
        playlist.endList = true;
        break;
      case '#EXTINF': {
        if (pending.duration !== undefined) {
          throw new PlaylistParseError(`#EXTINF at line ${pending.line} has no URI`, pending.line, tag.name);
        }
        const value = requireValue(tag);
        const comma = value.indexOf(',');
        pending.duration = decimalFloat((comma < 0 ? value : value.slice(0, comma)).trim(), tag);
        pending.title = comma < 0 ? '' : value.slice(comma + 1);
        pending.line = tag.line;
        break;
      }
      case '#EXT-X-DISCONTINUITY':
        pending.discontinuity = true;
        break;
      case '#EXT-X-GAP':
        pending.gap = true;
        break;
      case '#EXT-X-PROGRAM-DATE-TIME':
        pending.programDateTime = dateTime(requireValue(tag), tag);
        break;
      // Other tags (keys, maps, ...) do not matter to the relay; RFC 8216 says to ignore unknown ones.
    }
  };

  const onUri = (uri: string, line: number): void => {
    if (pending.duration === undefined) {
      throw new PlaylistParseError(`URI "${excerpt(uri)}" is not preceded by #EXTINF`, line, '#EXTINF');
    }
    if (playlist.segments.length >= limits.maxSegments) {
      throw new PlaylistParseError(`more than ${limits.maxSegments} segments`, line);
    }
    const segment: MediaSegment = {
      uri,
      duration: pending.duration,
      discontinuity: pending.discontinuity,
      gap: pending.gap,
      title: pending.title,
    };
    // Set only when present, so parsed segments without the tag compare cleanly.
    if (pending.programDateTime !== undefined) segment.programDateTime = pending.programDateTime;
    playlist.segments.push(segment);
    pending = { title: '', discontinuity: false, gap: false, line: 0 };
  };

  walkLines(lines, onTag, onUri);
  if (pending.duration !== undefined) {
    throw new PlaylistParseError(`#EXTINF at line ${pending.line} has no URI`, pending.line, '#EXTINF');
  }
  if (playlist.targetDuration < 0) {
    throw new PlaylistParseError('media playlist has no #EXT-X-TARGETDURATION', undefined, '#EXT-X-TARGETDURATION');
  }
  return playlist;
}

function parseMasterLines(lines: string[], limits: ParseLimits): MasterPlaylist {
  const playlist: MasterPlaylist = { kind: 'master', version: undefined, variants: [] };
  const singleUse = new SingleUseTags();
  let pending: { variant: Omit<Variant, 'uri'>; line: number } | undefined;

  const onTag = (tag: Tag): void => {
    if (tag.name === '#EXTM3U' || tag.name === '#EXT-X-VERSION') singleUse.claim(tag);
    if (tag.name === '#EXT-X-VERSION') playlist.version = positiveInteger(tag);
    if (tag.name !== '#EXT-X-STREAM-INF') return;
    if (pending) throw new PlaylistParseError(`#EXT-X-STREAM-INF at line ${pending.line} has no URI`, pending.line, tag.name);
    if (playlist.variants.length >= limits.maxVariants) {
      throw new PlaylistParseError(`more than ${limits.maxVariants} variants`, tag.line);
    }
    pending = { variant: variantAttributes(parseAttributeList(requireValue(tag), tag.line), tag.line), line: tag.line };
  };

  const onUri = (uri: string, line: number): void => {
    if (!pending) throw new PlaylistParseError(`URI "${excerpt(uri)}" is not preceded by #EXT-X-STREAM-INF`, line);
    playlist.variants.push({ uri, ...pending.variant });
    pending = undefined;
  };

  walkLines(lines, onTag, onUri);
  if (pending) throw new PlaylistParseError(`#EXT-X-STREAM-INF at line ${pending.line} has no URI`, pending.line);
  return playlist;
}

function variantAttributes(attributes: Map<string, string>, line: number): Omit<Variant, 'uri'> {
  const read = <T>(name: string, convert: (raw: string, tag: Tag) => T): T | undefined => {
    const raw = attributes.get(name);
    return raw === undefined ? undefined : convert(raw, { name, value: raw, line });
  };
  const bandwidth = read('BANDWIDTH', decimalInteger);
  if (bandwidth === undefined) throw new PlaylistParseError('#EXT-X-STREAM-INF has no BANDWIDTH', line, 'BANDWIDTH');

  const variant: Omit<Variant, 'uri'> = { bandwidth };
  const averageBandwidth = read('AVERAGE-BANDWIDTH', decimalInteger);
  const resolution = read('RESOLUTION', decimalResolution);
  const codecs = read('CODECS', quotedString);
  const programId = read('PROGRAM-ID', decimalInteger);
  const frameRate = read('FRAME-RATE', decimalFloat);
  // Optional attributes are set only when present, so parsed variants compare cleanly.
  if (averageBandwidth !== undefined) variant.averageBandwidth = averageBandwidth;
  if (resolution !== undefined) variant.resolution = resolution;
  if (codecs !== undefined) variant.codecs = codecs;
  if (programId !== undefined) variant.programId = programId;
  if (frameRate !== undefined) variant.frameRate = frameRate;
  return variant;
}

// ---------------------------------------------------------------------------------------------
// Value syntax (RFC 8216 §4.2). Digit counts are capped so no value can be absurdly long.

function requireValue(tag: Tag): string {
  if (tag.value === undefined || tag.value === '') throw new PlaylistParseError(`${tag.name} has no value`, tag.line, tag.name);
  return tag.value;
}

function decimalInteger(raw: string, tag: Tag): number {
  const value = Number(raw);
  if (!/^\d{1,16}$/.test(raw) || !Number.isSafeInteger(value)) {
    throw new PlaylistParseError(`${tag.name}: "${excerpt(raw)}" is not a decimal integer`, tag.line, tag.name);
  }
  return value;
}

function positiveInteger(tag: Tag): number {
  const value = decimalInteger(requireValue(tag), tag);
  if (value < 1) throw new PlaylistParseError(`${tag.name} must be at least 1`, tag.line, tag.name);
  return value;
}

function decimalFloat(raw: string, tag: Tag): number {
  if (!/^\d{1,16}(?:\.\d{1,16})?$/.test(raw)) {
    throw new PlaylistParseError(`${tag.name}: "${excerpt(raw)}" is not a non-negative decimal number`, tag.line, tag.name);
  }
  return Number(raw);
}

/** RFC 8216 §4.3.2.6: an ISO 8601 date-time with a time zone, e.g. `2026-12-01T10:00:02.345Z`. */
function dateTime(raw: string, tag: Tag): number {
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})$/i;
  const epochMs = iso.test(raw) ? Date.parse(raw) : NaN;
  if (!Number.isFinite(epochMs)) {
    throw new PlaylistParseError(`${tag.name}: "${excerpt(raw)}" is not an ISO 8601 date-time with a time zone`, tag.line, tag.name);
  }
  return epochMs;
}

function decimalResolution(raw: string, tag: Tag): Resolution {
  const match = /^(\d{1,6})x(\d{1,6})$/.exec(raw);
  if (!match) throw new PlaylistParseError(`${tag.name}: "${excerpt(raw)}" is not WIDTHxHEIGHT`, tag.line, tag.name);
  return { width: Number(match[1]), height: Number(match[2]) };
}

function quotedString(raw: string, tag: Tag): string {
  if (raw.length < 2 || !raw.startsWith('"') || !raw.endsWith('"')) {
    throw new PlaylistParseError(`${tag.name} must be a quoted string`, tag.line, tag.name);
  }
  return raw.slice(1, -1);
}

/** Keeps error messages short whatever the input. */
function excerpt(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
