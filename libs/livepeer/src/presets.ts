import type { LivepeerProfile } from './types';

/** Aspect ratio tags used in preset names. */
export type PresetAspect = '16x9' | '4x3';

export interface PresetSpec {
  name: string;
  width: number;
  height: number;
  /** bits per second */
  bitrate: number;
  fps: number;
}

/**
 * The lpms preset lookup table (docs/livepeer-protocol.md §4, lpms ffmpeg/videoprofile.go `VideoProfileLookup`).
 * `P144p25fps16x9` is deliberately absent: lpms defines it but does not list it in the lookup map.
 */
export const PRESETS: readonly PresetSpec[] = Object.freeze([
  preset(1280, 720, 6_000_000, 60, '16x9'),
  preset(1280, 720, 4_000_000, 30, '16x9'),
  preset(1280, 720, 3_500_000, 25, '16x9'),
  preset(960, 720, 3_500_000, 30, '4x3'),
  preset(1024, 576, 1_500_000, 30, '16x9'),
  preset(1024, 576, 1_500_000, 25, '16x9'),
  preset(640, 360, 1_200_000, 30, '16x9'),
  preset(640, 360, 1_000_000, 25, '16x9'),
  preset(480, 360, 1_000_000, 30, '4x3'),
  preset(426, 240, 600_000, 30, '16x9'),
  preset(426, 240, 600_000, 25, '16x9'),
  preset(320, 240, 600_000, 30, '4x3'),
  preset(256, 144, 400_000, 30, '16x9'),
]);

export const PRESET_NAMES: readonly string[] = PRESETS.map((p) => p.name);

const presetsByName = new Map(PRESETS.map((p) => [p.name, p]));

function preset(width: number, height: number, bitrate: number, fps: number, aspect: PresetAspect): PresetSpec {
  return { name: presetName(height, fps, aspect), width, height, bitrate, fps };
}

/** The naming rule: `P{height}p{fps}fps{aspect}`, e.g. `P144p30fps16x9`. */
export function presetName(height: number, fps: number, aspect: PresetAspect): string {
  return `P${height}p${fps}fps${aspect}`;
}

/** The aspect tag closest to width:height (16:9 or 4:3). */
export function aspectOf(width: number, height: number): PresetAspect {
  const ratio = width / height;
  return Math.abs(ratio - 16 / 9) <= Math.abs(ratio - 4 / 3) ? '16x9' : '4x3';
}

export function isPresetName(name: string): boolean {
  return presetsByName.has(name);
}

export function findPreset(name: string): PresetSpec | undefined {
  return presetsByName.get(name);
}

/** A preset as a profile (the rendition is named after the preset, as go-livepeer does). */
export function presetToProfile(name: string): LivepeerProfile {
  const spec = presetsByName.get(name);
  if (!spec) throw new Error(`unknown preset "${name}" (known: ${PRESET_NAMES.join(', ')})`);
  return { name: spec.name, width: spec.width, height: spec.height, bitrate: spec.bitrate, fps: spec.fps };
}

/** go-livepeer's name for a custom profile sent without a name. */
export function customProfileName(width: number, height: number, bitrate: number): string {
  return `custom_${width}x${height}_${bitrate}`;
}

/**
 * The full ladder a broadcaster transcodes into: custom profiles first, then presets,
 * in the order given (the multipart response and the master playlist follow this order).
 */
export function ladderProfiles(ladder: { profiles?: LivepeerProfile[]; presets?: string[] }): LivepeerProfile[] {
  const profiles = (ladder.profiles ?? []).map((p) => (p.name ? p : { ...p, name: customProfileName(p.width, p.height, p.bitrate) }));
  return [...profiles, ...(ladder.presets ?? []).map(presetToProfile)];
}
