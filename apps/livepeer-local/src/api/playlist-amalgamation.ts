import {
  DEFAULT_PARSE_LIMITS,
  detectPlaylistKind,
  formatAttributeList,
  formatDuration,
  formatResolution,
  integerProblem,
  parseMasterPlaylist,
  parseMediaPlaylist,
  quoted,
  segmentSequenceNumber,
  writtenMilliseconds,
  type ParseLimits,
  type PlaylistKind,
  type Variant,
} from '@lib/hls';

/** Inputs that cannot be merged (mixed master and media, or no recognisable playlist). */
export class PlaylistComposeError extends Error {
  override readonly name = 'PlaylistComposeError';
}

/**
 * The Livepeer API's amalgamation of the playlists every broadcaster serves for one stream
 * ("compose-m3u8", see apps/livepeer-local/README.md). Pure: the caller fetches; inputs are the bodies
 * that answered, in the order they arrived (first occurrence of a segment wins).
 *
 * Departures from the original, all for inputs it mishandled:
 * - a media playlist with no segments is treated as contributing nothing instead of throwing; when
 *   no input has any segment the result is a valid playlist with no segments
 *   (`#EXT-X-MEDIA-SEQUENCE:0`, target duration = the largest the inputs declared), not null:
 *   the stream exists, it just has nothing to play yet (null stays "nobody answered" -> 404);
 * - an input that cannot be parsed is left out, like a broadcaster that did not answer, and is
 *   reported through `onInvalidInput` (the original's lenient parser silently read garbage);
 * - relative segment URIs are resolved against the playlist URL with WHATWG URL rules (the original
 *   joined paths, which is right only for root-relative URIs); segments whose file name does not
 *   start with a number are skipped (the original produced NaN sequence numbers);
 * - runs are split by walking the sorted segments, not the numeric range min..max, so a hostile
 *   sequence number cannot make the loop run for billions of steps;
 * - the master merge keeps CODECS, AVERAGE-BANDWIDTH and FRAME-RATE when an input has them, and
 *   omits attributes an input lacks (the original wrote `undefined`).
 * Output lines end with "\n", including the last.
 */

export interface PlaylistInput {
  /** Where the body was fetched from; relative segment URIs are resolved against it. */
  readonly url: string;
  readonly body: string;
}

export interface ComposeOptions {
  /** Keep only the last N segments of each run (the object-store variant used 10; default: all). */
  readonly limit?: number;
  readonly parseLimits?: Partial<ParseLimits>;
  /** Called for each input that is left out because it is not a usable playlist. */
  readonly onInvalidInput?: (input: PlaylistInput, error: Error) => void;
}

/** A newer run shorter than this is replaced by an older run at least as long (waits for late arrivals). */
export const PREFERRED_RUN_LENGTH = 5;

/** Merges master or media playlists, whichever the inputs are. Null when there is no input. */
export function composePlaylists(inputs: readonly PlaylistInput[], options: ComposeOptions = {}): string | null {
  const kind = kindOfInputs(inputs, options);
  if (kind === undefined) return null;
  return kind === 'master' ? composeMasterPlaylists(inputs, options) : composeMediaPlaylists(inputs, options);
}

export function composeMediaPlaylists(inputs: readonly PlaylistInput[], options: ComposeOptions = {}): string | null {
  const limitProblem = options.limit === undefined ? undefined : integerProblem('limit', options.limit, 1);
  if (limitProblem) throw new PlaylistComposeError(limitProblem);
  requireKind(inputs, 'media', options);

  const parsed = parseInputs(inputs, 'media', options, (input) => {
    const playlist = parseMediaPlaylist(input.body, options.parseLimits);
    // Resolve here so an input with an unusable URL is rejected as a whole.
    return { playlist, segments: playlist.segments.map((s) => ({ ...s, uri: absoluteUri(s.uri, input.url) })) };
  });
  if (parsed.length === 0) return null;

  const bySequence = new Map<number, ComposedSegment>();
  for (const { segments } of parsed) {
    for (const segment of segments) {
      const seq = segmentSequenceNumber(segment.uri);
      if (seq === undefined || bySequence.has(seq)) continue;
      bySequence.set(seq, { seq, uri: segment.uri, duration: segment.duration });
    }
  }
  const sorted = [...bySequence.values()].sort((a, b) => a.seq - b.seq);
  if (sorted.length === 0) {
    const declared = Math.max(...parsed.map(({ playlist }) => playlist.targetDuration));
    return renderMedia(0, declared, []);
  }
  const run = chooseRun(consecutiveRunsNewestFirst(sorted), options.limit);
  const targetDuration = Math.ceil(Math.max(...run.map((s) => writtenMilliseconds(s.duration))) / 1000);
  return renderMedia(run[0].seq, targetDuration, run);
}

export function composeMasterPlaylists(inputs: readonly PlaylistInput[], options: ComposeOptions = {}): string | null {
  requireKind(inputs, 'master', options);
  const parsed = parseInputs(inputs, 'master', options, (input) => parseMasterPlaylist(input.body, options.parseLimits));
  if (parsed.length === 0) return null;

  const byUri = new Map<string, Variant>();
  for (const playlist of parsed) {
    for (const variant of playlist.variants) byUri.set(variant.uri, variant); // later input wins
  }
  const variants = [...byUri.values()].sort((a, b) => b.bandwidth - a.bandwidth);
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3'];
  for (const variant of variants) {
    const attributes = formatAttributeList([
      ['PROGRAM-ID', variant.programId],
      ['BANDWIDTH', variant.bandwidth],
      ['AVERAGE-BANDWIDTH', variant.averageBandwidth],
      ['RESOLUTION', variant.resolution && formatResolution(variant.resolution)],
      ['CODECS', variant.codecs === undefined ? undefined : quoted(variant.codecs)],
      ['FRAME-RATE', variant.frameRate?.toFixed(3)],
    ]);
    lines.push(`#EXT-X-STREAM-INF:${attributes}`, variant.uri); // relative URIs kept on purpose
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------

interface ComposedSegment {
  seq: number;
  uri: string;
  duration: number;
}

/** An oversized body is not even scanned for its kind; the parser refuses it with a clear message. */
function isOversized(input: PlaylistInput, options: ComposeOptions): boolean {
  return input.body.length > (options.parseLimits?.maxBytes ?? DEFAULT_PARSE_LIMITS.maxBytes);
}

function kindOfInput(input: PlaylistInput, options: ComposeOptions): PlaylistKind {
  return isOversized(input, options) ? 'unknown' : detectPlaylistKind(input.body);
}

function kindOfInputs(inputs: readonly PlaylistInput[], options: ComposeOptions): 'master' | 'media' | undefined {
  if (inputs.length === 0) return undefined;
  const kinds = new Set(inputs.map((input) => kindOfInput(input, options)));
  if (kinds.has('mixed') || (kinds.has('master') && kinds.has('media'))) {
    throw new PlaylistComposeError('cannot combine master and media playlists');
  }
  if (kinds.has('master')) return 'master';
  if (kinds.has('media')) return 'media';
  throw new PlaylistComposeError('unable to determine the playlist type: no input is a master or media playlist');
}

function requireKind(inputs: readonly PlaylistInput[], expected: 'master' | 'media', options: ComposeOptions): void {
  const kind = kindOfInputs(inputs, options);
  if (kind !== undefined && kind !== expected) {
    throw new PlaylistComposeError(`expected ${expected} playlists, got ${kind} playlists`);
  }
}

/** Parses the inputs of the expected kind; the others (and failures) are reported and left out. */
function parseInputs<T>(
  inputs: readonly PlaylistInput[],
  kind: 'master' | 'media',
  options: ComposeOptions,
  parse: (input: PlaylistInput) => T,
): T[] {
  const parsed: T[] = [];
  for (const input of inputs) {
    try {
      if (!isOversized(input, options) && detectPlaylistKind(input.body) !== kind) {
        throw new PlaylistComposeError(`not a ${kind} playlist`);
      }
      parsed.push(parse(input));
    } catch (error) {
      options.onInvalidInput?.(input, error as Error);
    }
  }
  return parsed;
}

const ABSOLUTE_URI = /^[a-z][a-z0-9+.-]*:/i;

function absoluteUri(uri: string, playlistUrl: string): string {
  return ABSOLUTE_URI.test(uri) ? uri : new URL(uri, playlistUrl).toString();
}

/** Splits sorted segments where a sequence number is missing; newest run first. */
function consecutiveRunsNewestFirst(sorted: ComposedSegment[]): ComposedSegment[][] {
  const runs: ComposedSegment[][] = [];
  for (const segment of sorted) {
    const current = runs[runs.length - 1];
    if (current && current[current.length - 1].seq + 1 === segment.seq) current.push(segment);
    else runs.push([segment]);
  }
  return runs.reverse();
}

/**
 * Start with the newest run; an older run replaces the choice while the choice is shorter than
 * PREFERRED_RUN_LENGTH and the older run is at least as long. As in the original, each run is cut
 * to `limit` before it is compared.
 */
function chooseRun(runsNewestFirst: ComposedSegment[][], limit: number | undefined): ComposedSegment[] {
  const keepLast = (run: ComposedSegment[]) => (limit === undefined ? run : run.slice(-limit));
  let chosen = keepLast(runsNewestFirst[0]);
  for (const run of runsNewestFirst.slice(1).map(keepLast)) {
    if (chosen.length < PREFERRED_RUN_LENGTH && run.length >= chosen.length) chosen = run;
  }
  return chosen;
}

function renderMedia(mediaSequence: number, targetDuration: number, segments: ComposedSegment[]): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-MEDIA-SEQUENCE:${mediaSequence}`, `#EXT-X-TARGETDURATION:${targetDuration}`];
  for (const segment of segments) lines.push(`#EXTINF:${formatDuration(segment.duration)},`, segment.uri);
  return `${lines.join('\n')}\n`;
}
