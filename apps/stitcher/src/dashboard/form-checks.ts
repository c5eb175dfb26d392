/**
 * The checks the admin API makes of a form's fields, made before sending so a mistake is named
 * at once, with the API's own words (apps/stitcher/src/admin/schemas.ts). The API still checks
 * everything (ladder rules live there only) and its answer is shown the same way.
 */
import type { Ladder } from './api-types.js';

export const STREAM_NAME_MAX = 200;

export type FieldErrors = Record<string, string[]>;

/** The problems of a stream name, as the API's createStreamSchema words them. */
export function streamNameErrors(name: string): FieldErrors {
  const trimmed = name.trim();
  if (!trimmed) return { name: ['must not be empty'] };
  if (trimmed.length > STREAM_NAME_MAX) return { name: [`must be at most ${STREAM_NAME_MAX} characters`] };
  return {};
}

/** A ladder from the form's preset boxes and its custom profiles (a JSON array, optional). */
export function ladderFromForm(presets: string[], profilesText: string): { ladder: Ladder; errors: FieldErrors } {
  const ladder: Ladder = {};
  if (presets.length) ladder.presets = presets;
  const text = profilesText.trim();
  if (!text) return { ladder, errors: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ladder, errors: { 'ladder.profiles': [`not JSON: ${(err as Error).message}`] } };
  }
  if (!Array.isArray(parsed)) return { ladder, errors: { 'ladder.profiles': ['expected array, received ' + typeof parsed] } };
  ladder.profiles = parsed as Ladder['profiles'];
  return { ladder, errors: {} };
}
