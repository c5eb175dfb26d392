/**
 * The H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1), read as far as a master playlist
 * needs it: profile, constraint flags and level (the RFC 6381 `avc1.PPCCLL` codec string), the
 * displayed size (coded macroblocks minus the cropping window), and the frame rate when the
 * VUI states one. This is what lets the stitcher describe a variant from the bytes of its first
 * segment in process, instead of starting an ffprobe for every variant of every new session.
 */
export interface SpsInfo {
  profileIdc: number;
  /** constraint_set0..5 flags and the reserved bits, as one byte */
  constraints: number;
  levelIdc: number;
  width: number;
  height: number;
  /** frames per second from the VUI timing info, when present (time_scale / (2 x num_units_in_tick)) */
  frameRate?: number;
}

export class SpsError extends Error {}

/** Profiles whose SPS carries chroma format, bit depths and scaling matrices (7.3.2.1.1). */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** Parses an SPS NAL unit (its header byte first, as `firstSpsUnit` returns it). */
export function parseSps(nal: Buffer): SpsInfo {
  if (nal.length < 4 || (nal[0] & 0x1f) !== 7) throw new SpsError('not an SPS NAL unit');
  const bits = new BitReader(withoutEmulationPrevention(nal.subarray(1)));
  const profileIdc = bits.read(8);
  const constraints = bits.read(8);
  const levelIdc = bits.read(8);
  bits.ue(); // seq_parameter_set_id
  let chromaFormatIdc = 1;
  let separateColourPlane = false;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = bits.ue();
    if (chromaFormatIdc === 3) separateColourPlane = bits.read(1) === 1;
    bits.ue(); // bit_depth_luma_minus8
    bits.ue(); // bit_depth_chroma_minus8
    bits.read(1); // qpprime_y_zero_transform_bypass_flag
    if (bits.read(1) === 1) {
      // seq_scaling_matrix_present_flag: lists are skipped, their sizes are all that matters here.
      for (let i = 0; i < (chromaFormatIdc === 3 ? 12 : 8); i++) if (bits.read(1) === 1) skipScalingList(bits, i < 6 ? 16 : 64);
    }
  }
  bits.ue(); // log2_max_frame_num_minus4
  const picOrderCntType = bits.ue();
  if (picOrderCntType === 0) bits.ue();
  else if (picOrderCntType === 1) {
    bits.read(1);
    bits.se();
    bits.se();
    const cycle = bits.ue();
    if (cycle > 255) throw new SpsError(`num_ref_frames_in_pic_order_cnt_cycle ${cycle} is out of range`);
    for (let i = 0; i < cycle; i++) bits.se();
  }
  bits.ue(); // max_num_ref_frames
  bits.read(1); // gaps_in_frame_num_value_allowed_flag
  const widthInMbs = bits.ue() + 1;
  const heightInMapUnits = bits.ue() + 1;
  const frameMbsOnly = bits.read(1) === 1;
  if (!frameMbsOnly) bits.read(1); // mb_adaptive_frame_field_flag
  bits.read(1); // direct_8x8_inference_flag
  let crop = { left: 0, right: 0, top: 0, bottom: 0 };
  if (bits.read(1) === 1) crop = { left: bits.ue(), right: bits.ue(), top: bits.ue(), bottom: bits.ue() };
  // Crop units (Table 6-1 and 7.4.2.1.1): chroma subsampling, and two fields per frame when interlaced.
  const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  const subWidth = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
  const subHeight = chromaArrayType === 1 ? 2 : 1;
  const cropX = chromaArrayType === 0 ? 1 : subWidth;
  const cropY = (chromaArrayType === 0 ? 1 : subHeight) * (frameMbsOnly ? 1 : 2);
  const width = widthInMbs * 16 - cropX * (crop.left + crop.right);
  const height = (frameMbsOnly ? 1 : 2) * heightInMapUnits * 16 - cropY * (crop.top + crop.bottom);
  if (width <= 0 || height <= 0) throw new SpsError(`cropping leaves ${width}x${height}`);
  const info: SpsInfo = { profileIdc, constraints, levelIdc, width, height };
  if (bits.read(1) === 1) info.frameRate = vuiFrameRate(bits);
  return info;
}

/** Reads the VUI up to its timing info (E.1.1); undefined when it states none. */
function vuiFrameRate(bits: BitReader): number | undefined {
  if (bits.read(1) === 1) {
    // aspect_ratio_info_present_flag
    if (bits.read(8) === 255) bits.read(32); // Extended_SAR: sar_width, sar_height
  }
  if (bits.read(1) === 1) bits.read(1); // overscan_info_present_flag, overscan_appropriate_flag
  if (bits.read(1) === 1) {
    // video_signal_type_present_flag
    bits.read(4);
    if (bits.read(1) === 1) bits.read(24); // colour_description_present_flag
  }
  if (bits.read(1) === 1) {
    // chroma_loc_info_present_flag
    bits.ue();
    bits.ue();
  }
  if (bits.read(1) !== 1) return undefined; // timing_info_present_flag
  const unitsInTick = bits.read(32);
  const timeScale = bits.read(32);
  if (unitsInTick === 0 || timeScale === 0) return undefined;
  const fps = timeScale / (2 * unitsInTick);
  return fps > 0 && fps < 1000 ? Math.round(fps * 1000) / 1000 : undefined;
}

function skipScalingList(bits: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + bits.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

/** The RBSP: every 0x000003 loses its 0x03 (emulation prevention, 7.4.1). */
function withoutEmulationPrevention(bytes: Buffer): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  let length = 0;
  let zeros = 0;
  for (const byte of bytes) {
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    zeros = byte === 0 ? zeros + 1 : 0;
    out[length++] = byte;
  }
  return out.subarray(0, length);
}

/** MSB-first bit reader with Exp-Golomb codes (9.1); reading past the end is an SpsError. */
class BitReader {
  private position = 0;

  constructor(private readonly bytes: Buffer) {}

  read(count: number): number {
    let value = 0;
    for (let i = 0; i < count; i++) {
      const byte = this.position >> 3;
      if (byte >= this.bytes.length) throw new SpsError('SPS ends early');
      value = value * 2 + ((this.bytes[byte] >> (7 - (this.position & 7))) & 1);
      this.position++;
    }
    return value;
  }

  /** ue(v) */
  ue(): number {
    let zeros = 0;
    while (this.read(1) === 0) {
      if (++zeros > 31) throw new SpsError('Exp-Golomb code longer than 32 bits');
    }
    return 2 ** zeros - 1 + this.read(zeros);
  }

  /** se(v) */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }
}
