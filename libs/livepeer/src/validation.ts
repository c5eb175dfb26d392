import { PRESET_NAMES, isPresetName } from './presets';
import { SOURCE_RENDITION } from './ladder';
import { H264_PROFILES } from './types';

/**
 * Validation of stream ladders as the Livepeer API does it (docs/livepeer-protocol.md §3.3, current schema),
 * returning every problem at once as readable messages that name the field, e.g.
 * `profiles[1].height must be >= 128`. Pure functions: the ingest app validates a
 * stream's ladder with the same rules before it ever calls the API.
 */

type Obj = Record<string, unknown>;

const PROFILE_FIELDS = ['name', 'width', 'height', 'bitrate', 'fps', 'fpsDen', 'gop', 'profile', 'quality', 'encoder'];
const REQUIRED_PROFILE_FIELDS = ['width', 'name', 'height', 'bitrate', 'fps'];
const NAME_MAX = 500;
/** "intra" or a number of seconds ("2", "2.0", "0.5"), as go-livepeer parses `gop`. */
const GOP_PATTERN = /^(intra|\d+(\.\d+)?)$/;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkInteger(errors: string[], field: string, value: unknown, min: number, max?: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    errors.push(`${field} must be an integer`);
  } else if (value < min) {
    errors.push(`${field} must be >= ${min}`);
  } else if (max !== undefined && value > max) {
    errors.push(`${field} must be <= ${max}`);
  }
}

/** Problems of one profile; `path` prefixes every message (e.g. `profiles[0]`). */
export function validateProfile(profile: unknown, path = 'profile'): string[] {
  if (!isObject(profile)) return [`${path} must be an object`];
  const errors: string[] = [];
  for (const key of Object.keys(profile)) {
    if (!PROFILE_FIELDS.includes(key)) errors.push(`${path}.${key} is not allowed`);
  }
  for (const key of REQUIRED_PROFILE_FIELDS) {
    if (profile[key] === undefined) errors.push(`${path}.${key} is required`);
  }
  const { name, width, height, bitrate, fps, fpsDen, gop, profile: h264, quality, encoder } = profile;
  if (name !== undefined) {
    if (typeof name !== 'string') errors.push(`${path}.name must be a string`);
    else if (name.length < 1 || name.length > NAME_MAX) errors.push(`${path}.name must be 1..${NAME_MAX} characters`);
    else if (name === SOURCE_RENDITION) errors.push(`${path}.name must not be "${SOURCE_RENDITION}"`);
    else if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
      // Names become URL path parts (/stream/{id}/{name}.m3u8) and file names.
      errors.push(`${path}.name may only contain letters, digits, "_", "-" and "."`);
    }
  }
  if (width !== undefined) checkInteger(errors, `${path}.width`, width, 128);
  if (height !== undefined) checkInteger(errors, `${path}.height`, height, 128);
  if (bitrate !== undefined) checkInteger(errors, `${path}.bitrate`, bitrate, 400);
  if (fps !== undefined) checkInteger(errors, `${path}.fps`, fps, 0);
  if (fpsDen !== undefined) checkInteger(errors, `${path}.fpsDen`, fpsDen, 1);
  if (gop !== undefined) {
    if (typeof gop !== 'string') errors.push(`${path}.gop must be a string`);
    else if (!GOP_PATTERN.test(gop)) errors.push(`${path}.gop must be "intra" or a number of seconds like "2.0"`);
  }
  if (h264 !== undefined && !(H264_PROFILES as readonly unknown[]).includes(h264)) {
    errors.push(`${path}.profile must be one of ${H264_PROFILES.join(', ')}`);
  }
  if (quality !== undefined) checkInteger(errors, `${path}.quality`, quality, 0, 44);
  if (encoder !== undefined && encoder !== 'H.264') errors.push(`${path}.encoder must be "H.264"`);
  return errors;
}

/**
 * Problems of a ladder: each profile, unique profile names (never `source`), and presets
 * from the preset table. An absent ladder is valid (the API then uses its default ladder).
 */
export function validateLadder(ladder: { profiles?: unknown; presets?: unknown }): string[] {
  const errors: string[] = [];
  const names = new Map<string, string>();
  const claim = (name: string, field: string) => {
    const first = names.get(name);
    if (first) errors.push(`${field} "${name}" is not unique (also ${first})`);
    else names.set(name, field);
  };

  const { profiles, presets } = ladder;
  if (profiles !== undefined && profiles !== null) {
    if (!Array.isArray(profiles)) {
      errors.push('profiles must be an array');
    } else {
      profiles.forEach((profile, i) => {
        const path = `profiles[${i}]`;
        errors.push(...validateProfile(profile, path));
        if (isObject(profile) && typeof profile.name === 'string') claim(profile.name, `${path}.name`);
      });
    }
  }
  if (presets !== undefined && presets !== null) {
    if (!Array.isArray(presets)) {
      errors.push('presets must be an array');
    } else {
      presets.forEach((preset, i) => {
        const path = `presets[${i}]`;
        if (typeof preset !== 'string' || !isPresetName(preset)) {
          errors.push(`${path} must be one of ${PRESET_NAMES.join(', ')}`);
        } else {
          // A preset's rendition is named after the preset, so it shares the name space.
          claim(preset, path);
        }
      });
    }
  }
  return errors;
}

/** Problems of a `POST /api/stream` body (name, ladder, renditions, the legacy `wowza` block). */
export function validateCreateStreamRequest(body: unknown): string[] {
  if (!isObject(body)) return ['body must be a JSON object'];
  const errors: string[] = [];
  if (body.name === undefined) errors.push('name is required');
  else if (typeof body.name !== 'string' || body.name.length === 0) errors.push('name must be a non-empty string');
  errors.push(...validateLadder(body));
  if (body.renditions !== undefined) {
    if (!isObject(body.renditions)) errors.push('renditions must be an object');
    else {
      for (const [key, value] of Object.entries(body.renditions)) {
        if (typeof value !== 'string') errors.push(`renditions.${key} must be a string`);
      }
    }
  }
  if (body.objectStoreId !== undefined && typeof body.objectStoreId !== 'string') {
    errors.push('objectStoreId must be a string');
  }
  if (body.wowza !== undefined) errors.push(...validateWowza(body.wowza));
  return errors;
}

function validateWowza(wowza: unknown): string[] {
  if (!isObject(wowza)) return ['wowza must be an object'];
  const errors: string[] = [];
  for (const key of ['transcoderAppConfig', 'transcoderTemplateAppConfig', 'sourceInfo']) {
    if (!isObject(wowza[key])) errors.push(`wowza.${key} is required and must be an object`);
  }
  if (!Array.isArray(wowza.streamNameGroups)) errors.push('wowza.streamNameGroups is required and must be an array');
  const appConfig = wowza.transcoderAppConfig;
  if (isObject(appConfig) && typeof appConfig.templatesInUse !== 'string') {
    errors.push('wowza.transcoderAppConfig.templatesInUse must be a string');
  }
  const sourceInfo = wowza.sourceInfo;
  if (isObject(sourceInfo)) {
    for (const key of ['width', 'height', 'fps']) {
      const value = sourceInfo[key];
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        errors.push(`wowza.sourceInfo.${key} must be a number >= 0`);
      }
    }
  }
  return errors;
}
