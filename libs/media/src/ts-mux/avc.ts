/**
 * H.264 as FLV carries it (ISO/IEC 14496-15 "AVCC": an AVCDecoderConfigurationRecord in the
 * sequence header, then length-prefixed NAL units) rewritten as MPEG-TS needs it (ITU-T H.264
 * annex B: start codes, an access unit delimiter first, SPS and PPS in front of each keyframe
 * so that every segment decodes on its own).
 */
const START_CODE = Buffer.from([0, 0, 0, 1]);
/** Access unit delimiter, primary_pic_type 7 (any slice type), as ffmpeg's h264_mp4toannexb writes it. */
const ACCESS_UNIT_DELIMITER = Buffer.from([0, 0, 0, 1, 0x09, 0xf0]);

const NAL_SPS = 7;
const NAL_PPS = 8;
const NAL_AUD = 9;

export interface AvcDecoderConfig {
  /** bytes of each NAL unit's length prefix (1, 2 or 4) */
  lengthSize: number;
  sps: Buffer[];
  pps: Buffer[];
  /** SPS and PPS with start codes, ready to go in front of a keyframe */
  parameterSets: Buffer;
}

/** Parses an AVCDecoderConfigurationRecord; throws a RangeError naming what is wrong. */
export function parseAvcDecoderConfig(record: Buffer): AvcDecoderConfig {
  if (record.length < 7 || record[0] !== 1) throw new RangeError('not an AVCDecoderConfigurationRecord (version 1)');
  const lengthSize = (record[4] & 0x03) + 1;
  if (lengthSize === 3) throw new RangeError('AVC NAL length size 3 is not allowed');
  let at = 5;
  const readSets = (count: number): Buffer[] => {
    const sets: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      if (at + 2 > record.length) throw new RangeError('AVCDecoderConfigurationRecord ends inside a parameter set');
      const size = record.readUInt16BE(at);
      if (at + 2 + size > record.length) throw new RangeError('AVCDecoderConfigurationRecord ends inside a parameter set');
      sets.push(record.subarray(at + 2, at + 2 + size));
      at += 2 + size;
    }
    return sets;
  };
  const sps = readSets(record[at++] & 0x1f);
  if (at >= record.length) throw new RangeError('AVCDecoderConfigurationRecord has no PPS count');
  const pps = readSets(record[at++]);
  if (!sps.length || !pps.length) throw new RangeError('AVCDecoderConfigurationRecord has no SPS or no PPS');
  const parameterSets = Buffer.concat([...sps, ...pps].flatMap((set) => [START_CODE, set]));
  return { lengthSize, sps, pps, parameterSets };
}

/**
 * One access unit in annex B: AUD, then (keyframes) the SPS/PPS of the configuration unless the
 * frame carries its own, then the frame's NAL units. The frame's own AUDs are dropped (one per
 * access unit, first). A length running past the end is an error: the frame is not guessed at.
 */
export function avccToAnnexB(frame: Buffer, config: AvcDecoderConfig, keyframe: boolean): Buffer {
  const units: Buffer[] = [];
  let ownParameterSets = false;
  for (let at = 0; at < frame.length;) {
    if (at + config.lengthSize > frame.length) throw new RangeError('AVC frame ends inside a NAL unit length');
    const size = frame.readUIntBE(at, config.lengthSize);
    at += config.lengthSize;
    if (at + size > frame.length) throw new RangeError(`AVC NAL unit of ${size} bytes runs past the end of its frame`);
    const unit = frame.subarray(at, at + size);
    at += size;
    if (!unit.length) continue;
    const type = unit[0] & 0x1f;
    if (type === NAL_AUD) continue;
    if (type === NAL_SPS || type === NAL_PPS) ownParameterSets = true;
    units.push(unit);
  }
  const parts: Buffer[] = [ACCESS_UNIT_DELIMITER];
  if (keyframe && !ownParameterSets) parts.push(config.parameterSets);
  for (const unit of units) parts.push(START_CODE, unit);
  return Buffer.concat(parts);
}
