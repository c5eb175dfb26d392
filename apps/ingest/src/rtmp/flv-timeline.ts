import { FLV_TAG_AUDIO, FLV_TAG_VIDEO, flvTagTimestamp } from './flv';

/** Audio and video tags interleave with slightly out-of-order decode times; less than this back is not a jump. */
export const MAX_BACKWARD_JITTER_MS = 1000;
/** A gap in the media clock larger than this is a jump, not a pause in the media (apps/ingest/README.md, Segments). */
export const MAX_FORWARD_GAP_MS = 5000;
/** Where the media continues after a jump: one frame (30 fps) after the last tag. */
const STEP_AFTER_JUMP_MS = 33;

export interface TimelineJump {
  /** the tag's own timestamp */
  from: number;
  /** the last timestamp handed on before it */
  after: number;
  /** ms added to every tag's timestamp from now on */
  offset: number;
}

/**
 * Keeps one publish's FLV media clock continuous. A publisher whose timestamps jump (an
 * encoder restarted behind a relay, a wrapped or reset clock, a skipped hour) would make the
 * segmenter cut segments that end before they start, or a single segment hours long; either
 * way the viewer's stream stops. So a tag more than MAX_BACKWARD_JITTER_MS before the last
 * one, or more than MAX_FORWARD_GAP_MS after it, starts a new offset: it and every later tag
 * are shifted so the media time goes on one frame after the last tag. Small reorderings
 * between audio and video are left as they are.
 */
export class FlvTimeline {
  private offset = 0;
  private last?: number;
  readonly jumps: TimelineJump[] = [];

  /**
   * Rewrites the tag's timestamp in place (a complete FLV tag as NMS writes it) and returns
   * the jump it started, if it did. Script tags and sequence headers are not media time:
   * they keep the current timeline without moving it.
   */
  retime(tag: Buffer): TimelineJump | null {
    if (tag.length < 11) return null;
    const type = tag[0] & 0x1f;
    if (type !== FLV_TAG_AUDIO && type !== FLV_TAG_VIDEO) return null;
    const raw = flvTagTimestamp(tag);
    if (isSequenceHeader(tag, type)) {
      writeTimestamp(tag, this.last ?? raw + this.offset);
      return null;
    }
    let jump: TimelineJump | null = null;
    let shifted = raw + this.offset;
    if (this.last !== undefined && (shifted < this.last - MAX_BACKWARD_JITTER_MS || shifted > this.last + MAX_FORWARD_GAP_MS)) {
      this.offset = this.last + STEP_AFTER_JUMP_MS - raw;
      shifted = raw + this.offset;
      jump = { from: raw, after: this.last, offset: this.offset };
      this.jumps.push(jump);
    }
    writeTimestamp(tag, shifted);
    this.last = this.last === undefined ? shifted : Math.max(this.last, shifted);
    return jump;
  }
}

/** AVC/HEVC decoder configuration (video packet type 0) or AAC AudioSpecificConfig (audio packet type 0). */
function isSequenceHeader(tag: Buffer, type: number): boolean {
  if (tag.length < 13) return false;
  if (type === FLV_TAG_VIDEO) return (tag[11] & 0x0f) === 7 && tag[12] === 0;
  return tag[11] >> 4 === 10 && tag[12] === 0;
}

/** FLV: 24 low bits then the extended (high) byte. Negative times (cannot happen after a shift) clamp to 0. */
function writeTimestamp(tag: Buffer, ms: number): void {
  const t = Math.max(0, Math.min(0xffffffff, Math.round(ms)));
  tag.writeUIntBE(t & 0xffffff, 4, 3);
  tag[7] = (t >>> 24) & 0xff;
}
