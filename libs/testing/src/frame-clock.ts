/**
 * A wall clock written into video pixels, for glass-to-glass latency: the encoder draws the
 * epoch ms of each frame's creation as a grid of large black/white blocks, a viewer samples
 * the frame it shows and reads the time back (latency = now - that time, same machine clock).
 *
 * The grid is 8 x 6 blocks, so each block is 1/8 of the frame wide and survives transcoding
 * down to 144p (a 32 x 24 px block there):
 *   blocks  0..31  the timestamp modulo 2^32, most significant bit first
 *   blocks 32..39  a CRC-8 of those 4 bytes (a frame caught mid-change or smeared fails it)
 *   blocks 40..47  sync: white, black, white, ... (the threshold between the two levels, and
 *                  proof this is a clock frame at all)
 */
export const FRAME_CLOCK_GRID = { columns: 8, rows: 6 } as const;

const TIMESTAMP_BITS = 32;
const CHECKSUM_BITS = 8;
const SYNC_START = TIMESTAMP_BITS + CHECKSUM_BITS;
const BLOCKS = FRAME_CLOCK_GRID.columns * FRAME_CLOCK_GRID.rows;
/** Below this difference between the white and the black sync blocks, the frame is not readable. */
const MIN_CONTRAST = 48;

/** CRC-8 (polynomial 0x07) of the timestamp's four bytes. */
function crc8(value: number): number {
  let crc = 0;
  for (let shift = 24; shift >= 0; shift -= 8) {
    crc ^= (value >>> shift) & 0xff;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

/** Whether each block is white, in block order. */
function blockBits(epochMs: number): boolean[] {
  const stamp = (epochMs % 2 ** TIMESTAMP_BITS) >>> 0;
  const checksum = crc8(stamp);
  const bits: boolean[] = [];
  for (let i = TIMESTAMP_BITS - 1; i >= 0; i--) bits.push(((stamp >>> i) & 1) === 1);
  for (let i = CHECKSUM_BITS - 1; i >= 0; i--) bits.push(((checksum >>> i) & 1) === 1);
  for (let i = SYNC_START; i < BLOCKS; i++) bits.push((i - SYNC_START) % 2 === 0);
  return bits;
}

/** Draws `epochMs` into an 8-bit grayscale frame (one byte per pixel, row by row). */
export function encodeFrameClock(epochMs: number, width: number, height: number, frame = Buffer.alloc(width * height)): Buffer {
  const bits = blockBits(epochMs);
  const { columns, rows } = FRAME_CLOCK_GRID;
  // Whole spans per block row (the publisher draws 30 frames a second).
  for (let y = 0; y < height; y++) {
    const row = Math.min(rows - 1, Math.floor((y * rows) / height));
    for (let column = 0; column < columns; column++) {
      const x0 = Math.floor((column * width) / columns);
      const x1 = Math.floor(((column + 1) * width) / columns);
      frame.fill(bits[row * columns + column] ? 255 : 0, y * width + x0, y * width + x1);
    }
  }
  return frame;
}

/**
 * The mean level of the middle half of each block (edges are where scaling and compression
 * blur). Self-contained on purpose: the player page runs this very function (its source is
 * injected there), so it may use nothing from outside its body.
 * `pixels` holds `channels` bytes per pixel (1 for gray, 4 for a canvas's RGBA); the first is read.
 */
export function frameClockBlockLevels(
  pixels: ArrayLike<number>,
  width: number,
  height: number,
  channels: number,
  columns: number,
  rows: number,
): number[] {
  const levels: number[] = [];
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      const x0 = Math.floor(((column + 0.25) * width) / columns);
      const x1 = Math.max(x0 + 1, Math.floor(((column + 0.75) * width) / columns));
      const y0 = Math.floor(((row + 0.25) * height) / rows);
      const y1 = Math.max(y0 + 1, Math.floor(((row + 0.75) * height) / rows));
      let sum = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += pixels[(y * width + x) * channels];
      levels.push(sum / ((x1 - x0) * (y1 - y0)));
    }
  }
  return levels;
}

/**
 * The timestamp modulo 2^32 the block levels carry, or null when the sync blocks or the
 * checksum do not match (no clock frame, too blurred, or caught between two values).
 */
export function decodeFrameClockLevels(levels: number[]): number | null {
  if (levels.length !== BLOCKS) return null;
  const sync = levels.slice(SYNC_START);
  const white = sync.filter((_, i) => i % 2 === 0);
  const black = sync.filter((_, i) => i % 2 === 1);
  if (Math.min(...white) - Math.max(...black) < MIN_CONTRAST) return null;
  const threshold = (Math.min(...white) + Math.max(...black)) / 2;
  const bit = (i: number) => (levels[i] > threshold ? 1 : 0);
  let stamp = 0;
  for (let i = 0; i < TIMESTAMP_BITS; i++) stamp = (stamp * 2 + bit(i)) >>> 0;
  let checksum = 0;
  for (let i = TIMESTAMP_BITS; i < SYNC_START; i++) checksum = (checksum << 1) | bit(i);
  return checksum === crc8(stamp) ? stamp : null;
}

/** Decodes a grayscale (or `channels`-byte) frame; null when it carries no readable clock. */
export function decodeFrameClock(pixels: ArrayLike<number>, width: number, height: number, channels = 1): number | null {
  const { columns, rows } = FRAME_CLOCK_GRID;
  return decodeFrameClockLevels(frameClockBlockLevels(pixels, width, height, channels, columns, rows));
}

/** The full epoch ms of a decoded (modulo 2^32) stamp, taken as the latest one not after `nowMs`. */
export function unwrapFrameClock(stamp: number, nowMs: number): number {
  const modulus = 2 ** TIMESTAMP_BITS;
  return nowMs - (((((nowMs % modulus) - stamp) % modulus) + modulus) % modulus);
}
