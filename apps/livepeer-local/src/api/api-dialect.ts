import { type LivepeerProfile, type LivepeerStream, PRESET_NAMES, defaultProfiles } from '@lib/livepeer';

/**
 * How the local API answers: `current` like today's Livepeer API, `legacy` like an older API
 * server within what docs/livepeer-protocol.md allows, so the relay is held to both
 * (LIVEPEER_LOCAL_DIALECT). The legacy dialect:
 * - refuses with 422 what its older schema does not know: `fps: 0`, the fields `fpsDen`, `gop`,
 *   `profile`, `quality`, `encoder`, and presets outside its table (the 25 fps ones);
 * - stores no profiles for a stream created without any (its broadcasters then transcode into
 *   their own default ladder, as a real broadcaster does when the hook names none);
 * - answers without `renditions` (`{}`) and without a stream key;
 * - answers 404 to every DELETE (it keeps no record to delete);
 * - lists every broadcaster it was given, dead or alive (a static list).
 */
export type DialectName = 'current' | 'legacy';

export interface ApiDialect {
  readonly name: DialectName;
  /** Problems of a create request beyond the shared schema (validateCreateStreamRequest). */
  problems(body: Record<string, unknown>): string[];
  /** The profiles of a stream created with neither profiles nor presets. */
  ladderWhenNone(): LivepeerProfile[];
  /** The stream object as this API shows it (create and GET). */
  answer(stream: LivepeerStream): Record<string, unknown>;
  /** Whether DELETE of a stream that exists deletes it (else 404). */
  readonly deletes: boolean;
  /** Whether GET /api/broadcaster lists broadcasters that fail their health check. */
  readonly listsUnhealthy: boolean;
}

const LEGACY_UNKNOWN_FIELDS = ['fpsDen', 'gop', 'profile', 'quality', 'encoder'];
/** The older preset table: the current one without the 25 fps presets. */
export const LEGACY_PRESETS: readonly string[] = PRESET_NAMES.filter((name) => !/25fps/.test(name));

const current: ApiDialect = {
  name: 'current',
  problems: () => [],
  ladderWhenNone: defaultProfiles,
  answer: (stream) => stream,
  deletes: true,
  listsUnhealthy: false,
};

const legacy: ApiDialect = {
  name: 'legacy',
  problems(body) {
    const errors: string[] = [];
    const profiles = Array.isArray(body.profiles) ? body.profiles : [];
    profiles.forEach((profile, i) => {
      if (typeof profile !== 'object' || profile === null) return;
      const p = profile as Record<string, unknown>;
      for (const field of LEGACY_UNKNOWN_FIELDS) {
        if (p[field] !== undefined) errors.push(`profiles[${i}].${field} is not allowed`);
      }
      if (p.fps === 0) errors.push(`profiles[${i}].fps must be >= 1`);
    });
    const presets = Array.isArray(body.presets) ? body.presets : [];
    presets.forEach((preset, i) => {
      if (typeof preset === 'string' && !LEGACY_PRESETS.includes(preset))
        errors.push(`presets[${i}] must be one of ${LEGACY_PRESETS.join(', ')}`);
    });
    return errors;
  },
  ladderWhenNone: () => [],
  answer(stream) {
    const { streamKey: _key, renditions: _renditions, ...rest } = stream;
    return { ...rest, renditions: {} };
  },
  deletes: false,
  listsUnhealthy: true,
};

export function apiDialect(name: DialectName): ApiDialect {
  return name === 'legacy' ? legacy : current;
}
