import { formatDuration } from '@lib/hls';

/**
 * The HLS a go-livepeer broadcaster serves for one session (docs/livepeer-protocol.md §5.1): a master playlist
 * listing renditions in order of first appearance, and per rendition a live window of 6
 * segments with root-relative URIs, MEDIA-SEQUENCE = segments dropped so far (not the file
 * sequence number), TARGETDURATION = ceil of the longest segment seen.
 */

/** go-livepeer's LIVE_LIST_LENGTH */
export const LIVE_LIST_LENGTH = 6;

export interface ListedSegment {
  seq: number;
  durationMs: number;
}

export interface Variant {
  rendition: string;
  bandwidth: number;
  /** `WxH`, omitted when unknown (a source pushed without Content-Resolution) */
  resolution?: string;
}

/** The sliding window of one rendition; inserts keep seq order, duplicates are refused. */
export class MediaWindow {
  private readonly listed: ListedSegment[] = [];
  private dropped = 0;
  private longestMs = 0;

  constructor(private readonly length = LIVE_LIST_LENGTH) {}

  get segments(): readonly ListedSegment[] {
    return this.listed;
  }

  get mediaSequence(): number {
    return this.dropped;
  }

  has(seq: number): boolean {
    return this.listed.some((s) => s.seq === seq);
  }

  /** Adds a segment (out-of-order arrivals are sorted in); returns false for a duplicate. */
  insert(segment: ListedSegment): boolean {
    if (this.has(segment.seq)) return false;
    const at = this.listed.findIndex((s) => s.seq > segment.seq);
    if (at === -1) this.listed.push(segment);
    else this.listed.splice(at, 0, segment);
    this.longestMs = Math.max(this.longestMs, segment.durationMs);
    while (this.listed.length > this.length) {
      this.listed.shift();
      this.dropped++;
    }
    return true;
  }

  render(segmentUri: (seq: number) => string): string {
    const lines = [
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      `#EXT-X-MEDIA-SEQUENCE:${this.dropped}`,
      `#EXT-X-TARGETDURATION:${Math.ceil(this.longestMs / 1000)}`,
    ];
    for (const s of this.listed) lines.push(`#EXTINF:${formatDuration(s.durationMs / 1000)},`, segmentUri(s.seq));
    return `${lines.join('\n')}\n`;
  }
}

export function renderMaster(manifestId: string, variants: readonly Variant[]): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3'];
  for (const v of variants) {
    const resolution = v.resolution ? `,RESOLUTION=${v.resolution}` : '';
    lines.push(`#EXT-X-STREAM-INF:PROGRAM-ID=0,BANDWIDTH=${v.bandwidth}${resolution}`, `${manifestId}/${v.rendition}.m3u8`);
  }
  return `${lines.join('\n')}\n`;
}

export function segmentPath(manifestId: string, rendition: string, seq: number): string {
  return `/stream/${manifestId}/${rendition}/${seq}.ts`;
}
