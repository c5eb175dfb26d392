import { renditionPath, type LivepeerProfile, type WowzaEncode, type WowzaPayload, type WowzaStreamNameGroup } from '@lib/livepeer';

/**
 * Turns the legacy LivepeerWowza payload into profiles and renditions, as the Livepeer API's
 * "wowza-hydrate" did from 2019-12 on: one custom profile per enabled encode,
 * named after the Wowza encode stream name; PassThru encodes map to the source rendition.
 * Two quirks of the original are not copied: encodes are filtered without skipping the next
 * one, and duplicate rendition names are reported instead of silently kept.
 */

export interface WowzaHydration {
  profiles: LivepeerProfile[];
  renditions: Record<string, string>;
  presets: string[];
  streamNameGroups: { name: string; renditions: string[] }[];
}

export class WowzaHydrateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WowzaHydrateError';
  }
}

const SOURCE_STREAM_NAME = '${SourceStreamName}';

function substitute(template: string, streamName: string): string {
  return template.split(SOURCE_STREAM_NAME).join(streamName);
}

/** `mp4:${SourceStreamName}_360p` -> `live_360p` (the part after the first `:`). */
export function wowzaRenditionName(streamNameTemplate: string, streamName: string): string {
  const name = substitute(streamNameTemplate, streamName);
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

function isEnabled(encode: WowzaEncode): boolean {
  return encode.enable === true || encode.enable === 'true';
}

function toNumber(value: unknown): number {
  const n = typeof value === 'number' ? value : parseInt(String(value ?? ''), 10);
  return Number.isFinite(n) ? n : NaN;
}

/** Rounded down to an even number (x264 needs even dimensions; odd -> minus 1). */
function even(value: number): number {
  const rounded = Math.round(value);
  return rounded % 2 === 0 ? rounded : rounded - 1;
}

/** Fills a 0 dimension from the source aspect ratio. */
function dimensions(encode: WowzaEncode, source: WowzaPayload['sourceInfo']): { width: number; height: number } {
  let width = toNumber(encode.width) || 0;
  let height = toNumber(encode.height) || 0;
  if (width === 0 && height !== 0) width = (height * source.width) / source.height;
  if (height === 0 && width !== 0) height = (width * source.height) / source.width;
  return { width: even(width), height: even(height) };
}

export function hydrateWowza(streamId: string, streamName: string, wowza: WowzaPayload): WowzaHydration {
  if (!streamId || !streamName) throw new WowzaHydrateError('missing required fields: id, name');
  const templateNames = String(wowza.transcoderAppConfig.templatesInUse ?? '')
    .split(',')
    .map((t) => substitute(t.trim(), streamName).replace(/\.xml$/, ''));
  const templateName = templateNames.find((t) => wowza.transcoderTemplateAppConfig[t] !== undefined);
  if (!templateName) throw new WowzaHydrateError('no template found from templatesInUse');
  const template = wowza.transcoderTemplateAppConfig[templateName];
  const fps = Math.round(wowza.sourceInfo.fps);

  const profiles: LivepeerProfile[] = [];
  const renditions: Record<string, string> = {};
  const renditionOfEncode = new Map<string, string>();
  for (const encode of (template.encodes ?? []).filter(isEnabled)) {
    const name = wowzaRenditionName(String(encode.streamName ?? encode.name ?? ''), streamName);
    if (!name) throw new WowzaHydrateError(`encode "${encode.name ?? '?'}" has no streamName`);
    if (renditions[name] !== undefined) throw new WowzaHydrateError(`rendition "${name}" is produced by two encodes`);
    if (encode.videoCodec === 'PassThru') {
      renditions[name] = renditionPath(streamId, 'source');
      if (encode.name) renditionOfEncode.set(encode.name, name);
      continue;
    }
    const { width, height } = dimensions(encode, wowza.sourceInfo);
    if (width === 0 && height === 0) continue; // nothing to scale to (audio-only encodes and the like)
    const bitrate = toNumber(encode.videoBitrate);
    if (!Number.isFinite(bitrate)) throw new WowzaHydrateError(`encode "${encode.name ?? name}" has no numeric videoBitrate`);
    profiles.push({ name, width, height, bitrate, fps });
    renditions[name] = renditionPath(streamId, name);
    if (encode.name) renditionOfEncode.set(encode.name, name);
  }

  const streamNameGroups = (template.streamNameGroups ?? []).map((group: WowzaStreamNameGroup) => ({
    name: substitute(String(group.streamName ?? ''), streamName),
    renditions: (group.Members ?? group.members ?? [])
      .map((member) => renditionOfEncode.get(String(member.encodeName ?? member.memberName ?? '')))
      .filter((r): r is string => r !== undefined),
  }));
  return { profiles, renditions, presets: [], streamNameGroups };
}
