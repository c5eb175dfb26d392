import type { Ladder, LadderProfile } from '@lib/database';
import { PRESET_NAMES, RELAY_DEFAULT_PRESETS, validateLadder } from '@lib/livepeer';

/** A ladder the Livepeer API would refuse (422); `problems` lists every rule broken. */
export class InvalidLadderError extends Error {
  constructor(
    readonly problems: string[],
    /** Who refused it: the relay's own rules (undefined) or the Livepeer API at this URL. */
    readonly refusedBy?: string,
  ) {
    super(
      `${refusedBy ? `the Livepeer API at ${refusedBy} refused the ladder` : 'invalid ladder'}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'InvalidLadderError';
  }
}

/**
 * Checks a ladder with the Livepeer API's own rules (@lib/livepeer validateLadder) and
 * returns it in the stored shape: only non-empty `profiles` / `presets`. An empty ladder
 * is allowed and means the relay's default ladder (RELAY_DEFAULT_PRESETS, sent explicitly).
 */
export function normalizeLadder(input: unknown): Ladder {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input))
    throw new InvalidLadderError(['ladder must be an object with profiles and/or presets']);
  const { profiles, presets, ...rest } = input as Record<string, unknown>;
  const problems = Object.keys(rest).map((key) => `${key} is not allowed (a ladder has profiles and/or presets)`);
  problems.push(...validateLadder({ profiles, presets }));
  if (problems.length) throw new InvalidLadderError(problems);
  const ladder: Ladder = {};
  if (Array.isArray(profiles) && profiles.length) ladder.profiles = profiles as LadderProfile[];
  if (Array.isArray(presets) && presets.length) ladder.presets = presets as string[];
  return ladder;
}

/**
 * A ladder from command-line style input: preset names as a comma list (or several
 * values), and custom profiles as a JSON array (or one JSON object).
 */
export function ladderFromOptions(options: { presets?: string | string[]; profiles?: string }): Ladder {
  const presets = [options.presets ?? []]
    .flat()
    .flatMap((p) => p.split(','))
    .map((p) => p.trim())
    .filter(Boolean);
  let profiles: unknown;
  if (options.profiles !== undefined) {
    try {
      profiles = JSON.parse(options.profiles);
    } catch (err) {
      throw new InvalidLadderError([`profiles is not valid JSON (${(err as Error).message})`]);
    }
    if (profiles && typeof profiles === 'object' && !Array.isArray(profiles)) profiles = [profiles];
  }
  return normalizeLadder({ presets: presets.length ? presets : undefined, profiles });
}

/** One line per rendition, for people: `P360p30fps16x9` or `240p 426x240 400 kbps 30 fps`. */
export function describeLadder(ladder: Ladder): string[] {
  const lines = (ladder.profiles ?? []).map(
    (p) => `${p.name} ${p.width}x${p.height} ${Math.round(p.bitrate / 1000)} kbps ${p.fps ? `${p.fps} fps` : 'source fps'}`,
  );
  lines.push(...(ladder.presets ?? []));
  return lines.length ? lines : [`(relay default ladder: ${RELAY_DEFAULT_PRESETS.join(', ')})`];
}

export const KNOWN_PRESETS = PRESET_NAMES;
