import { parseMasterPlaylist } from '@lib/hls';
import { SOURCE_RENDITION, renditionPath, renditionPaths } from './ladder';
import { isPresetName, ladderProfiles, presetToProfile } from './presets';
import type { LivepeerLadder, LivepeerProfile, LivepeerStream } from './types';

/**
 * What the relay asks for when a stream has no ladder of its own: two presets every Livepeer API
 * dialect knows (docs/livepeer-protocol.md §4), sent as explicit profiles. The relay never leaves
 * the ladder to the API's default, which differs between API versions (an older one stores none
 * and its broadcasters transcode into a ladder of their own).
 */
export const RELAY_DEFAULT_PRESETS: readonly string[] = Object.freeze(['P360p30fps16x9', 'P240p30fps16x9']);

/**
 * The full ladder the relay sends in `POST /stream`: the stream's custom profiles, then its
 * presets expanded into profiles (an API that does not know a preset name still gets its size,
 * bitrate and rate), or the relay's default ladder when the stream has none.
 */
export function explicitLadder(ladder: LivepeerLadder | undefined): LivepeerProfile[] {
  const profiles = ladder?.profiles ?? [];
  const presets = ladder?.presets ?? [];
  if (!profiles.length && !presets.length) return RELAY_DEFAULT_PRESETS.map(presetToProfile);
  return ladderProfiles({ profiles, presets: presets.filter(isPresetName) });
}

/** Where a session's rendition list came from (shown with the session). */
export type RenditionSource = 'api-answer' | 'api-profiles' | 'master-playlist';

export interface LearnedRenditions {
  renditions: Record<string, string>;
  source: RenditionSource;
}

/**
 * The renditions a create answer names: its `renditions` map, else (an answer without one, as
 * older APIs give) one per profile it says it stored; null when it stored no profiles at all,
 * so only the broadcasters know what they produce (the master playlist, below).
 */
export function renditionsFromAnswer(stream: Pick<LivepeerStream, 'id' | 'renditions' | 'profiles' | 'presets'>): LearnedRenditions | null {
  const named = Object.entries(stream.renditions ?? {}).filter(([name]) => name !== SOURCE_RENDITION);
  if (named.length) return { renditions: Object.fromEntries(named), source: 'api-answer' };
  const profiles = ladderProfiles({
    profiles: stream.profiles ?? [],
    presets: (stream.presets ?? []).filter(isPresetName),
  });
  if (profiles.length)
    return {
      renditions: renditionPaths(
        stream.id,
        profiles.map((p) => p.name),
      ),
      source: 'api-profiles',
    };
  return null;
}

/**
 * The renditions the amalgamated master playlist `/stream/{id}.m3u8` lists (docs/livepeer-protocol.md
 * §5.2): each variant URI `{id}/{name}.m3u8` but `source`; null when it lists none or does not parse.
 */
export function renditionsFromMasterPlaylist(streamId: string, body: string): LearnedRenditions | null {
  let variants: { uri: string }[];
  try {
    variants = parseMasterPlaylist(body).variants;
  } catch {
    return null;
  }
  const names = variants
    .map((v) => decodeURIComponent(v.uri.split('?')[0].split('/').pop() ?? '').replace(/\.m3u8$/, ''))
    .filter((name) => name && name !== SOURCE_RENDITION);
  if (!names.length) return null;
  return { renditions: Object.fromEntries(names.map((name) => [name, renditionPath(streamId, name)])), source: 'master-playlist' };
}
