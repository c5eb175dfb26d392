/** Pure formatting of API values for the dashboard's tables. */
import type { Ladder } from './api-types.js';

export const kbps = (bps: number | undefined): string => (bps ? `${Math.round(bps / 1000)} kbps` : '');

export const seconds = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '' : `${(ms / 1000).toFixed(2)} s`);

export function ladderText(ladder: Ladder): string {
  const names = [...(ladder.profiles ?? []).map((p) => `${p.name} ${p.width}x${p.height}`), ...(ladder.presets ?? [])];
  return names.join(', ') || 'relay default';
}

/** The field errors of a 400 answer, one line per field. */
export function fieldErrorLines(errors: Record<string, string[]> | undefined): string[] {
  return Object.entries(errors ?? {}).map(([field, messages]) => `${field}: ${messages.join('; ')}`);
}

export function dropSummary(byReason: Record<string, number>): string {
  return Object.entries(byReason)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
}

/** The session's local-fallback periods (FALLBACK_TRANSCODE=local) in one line; empty when there were none. */
export function fallbackSummary(fallback: { segments: number; periods: { fromSeq: number; toSeq: number }[] } | undefined): string {
  if (!fallback?.segments) return '';
  const ranges = fallback.periods.map((p) => (p.fromSeq === p.toSeq ? `${p.fromSeq}` : `${p.fromSeq}-${p.toSeq}`));
  const n = fallback.periods.length;
  return `transcoded locally (no broadcaster could): ${fallback.segments} segment${fallback.segments === 1 ? '' : 's'} in ${n} period${n === 1 ? '' : 's'} (seq ${ranges.join(', ')})`;
}

/** The rendition a hls.js level plays, from its playlist URL (`.../{rendition}/index.m3u8`). */
export function renditionOfUrl(url: string, height: number): string {
  const match = /([^/]+)\/index\.m3u8/.exec(url);
  return match ? match[1] : `${height}p`;
}
