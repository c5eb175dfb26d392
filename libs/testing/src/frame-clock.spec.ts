import { decodeFrameClock, encodeFrameClock, unwrapFrameClock } from './frame-clock';

/** Box downscale of a grayscale frame (what a 360p -> 144p transcode does to the blocks). */
function downscale(frame: Buffer, width: number, height: number, toWidth: number, toHeight: number): Buffer {
  const out = Buffer.alloc(toWidth * toHeight);
  for (let y = 0; y < toHeight; y++) {
    for (let x = 0; x < toWidth; x++) {
      const [x0, x1] = [Math.floor((x * width) / toWidth), Math.floor(((x + 1) * width) / toWidth)];
      const [y0, y1] = [Math.floor((y * height) / toHeight), Math.floor(((y + 1) * height) / toHeight)];
      let sum = 0;
      for (let sy = y0; sy < y1; sy++) for (let sx = x0; sx < x1; sx++) sum += frame[sy * width + sx];
      out[y * toWidth + x] = Math.round(sum / ((x1 - x0) * (y1 - y0)));
    }
  }
  return out;
}

/** A (2r+1)^2 box blur, then limited range (16..235) and deterministic noise, like a lossy encode. */
function degrade(frame: Buffer, width: number, height: number, r: number): Buffer {
  const out = Buffer.alloc(frame.length);
  let seed = 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      let n = 0;
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const [sx, sy] = [Math.min(width - 1, Math.max(0, x + dx)), Math.min(height - 1, Math.max(0, y + dy))];
          sum += frame[sy * width + sx];
          n++;
        }
      }
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const noise = (seed % 41) - 20;
      out[y * width + x] = Math.min(255, Math.max(0, Math.round(16 + ((sum / n) * 219) / 255 + noise)));
    }
  }
  return out;
}

describe('frame clock', () => {
  const stamps = [0, 1, 0xffffffff, 1_764_582_000_123, Date.now()];

  it.each(stamps)('decodes %d from the frame it was drawn into', (epochMs) => {
    const frame = encodeFrameClock(epochMs, 640, 360);
    expect(decodeFrameClock(frame, 640, 360)).toBe(epochMs % 2 ** 32);
  });

  it.each(stamps)('decodes %d after a downscale to 144p and a blur', (epochMs) => {
    const small = degrade(downscale(encodeFrameClock(epochMs, 640, 360), 640, 360, 256, 144), 256, 144, 3);
    expect(decodeFrameClock(small, 256, 144)).toBe(epochMs % 2 ** 32);
  });

  it('reads a canvas RGBA buffer (first channel)', () => {
    const gray = encodeFrameClock(123_456_789, 256, 144);
    const rgba = Buffer.alloc(gray.length * 4);
    gray.forEach((v, i) => rgba.fill(v, i * 4, i * 4 + 4));
    expect(decodeFrameClock(rgba, 256, 144, 4)).toBe(123_456_789);
  });

  it('refuses a frame without the sync blocks, and one whose blocks do not match their checksum', () => {
    expect(decodeFrameClock(Buffer.alloc(640 * 360, 128), 640, 360)).toBeNull();
    const frame = encodeFrameClock(1_000, 640, 360);
    // Flip the block holding the lowest timestamp bit (block 31: row 3, column 7).
    for (let y = 180; y < 240; y++) for (let x = 560; x < 640; x++) frame[y * 640 + x] ^= 0xff;
    expect(decodeFrameClock(frame, 640, 360)).toBeNull();
  });

  it('unwraps a 32-bit stamp to the epoch ms it was taken at', () => {
    const taken = 1_764_582_000_123;
    expect(unwrapFrameClock(taken % 2 ** 32, taken + 7_000)).toBe(taken);
    expect(unwrapFrameClock(taken % 2 ** 32, taken)).toBe(taken);
  });
});
