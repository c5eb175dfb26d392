/**
 * AAC as FLV carries it (raw access units and an AudioSpecificConfig, ISO/IEC 14496-3 1.6.2.1)
 * rewritten as MPEG-TS carries it: each frame behind a 7-byte ADTS header (14496-3 1.A.2.2).
 */
export interface AacConfig {
  /** MPEG-4 audio object type of the core coder (2 = AAC LC); ADTS can carry 1..4 */
  objectType: number;
  samplingFrequencyIndex: number;
  sampleRate: number;
  channelConfiguration: number;
}

const SAMPLE_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];
/** Samples per AAC frame: the duration of one frame is this over the sample rate. */
export const AAC_SAMPLES_PER_FRAME = 1024;

/** Reads the fields ADTS needs; HE-AAC (SBR/PS, explicit signalling) is carried as its AAC core. */
export function parseAudioSpecificConfig(config: Buffer): AacConfig {
  if (config.length < 2) throw new RangeError('AudioSpecificConfig shorter than 2 bytes');
  let bit = 0;
  const read = (bits: number): number => {
    let value = 0;
    for (let i = 0; i < bits; i++, bit++) {
      if (bit >> 3 >= config.length) throw new RangeError('AudioSpecificConfig ends early');
      value = (value << 1) | ((config[bit >> 3] >> (7 - (bit & 7))) & 1);
    }
    return value;
  };
  const objectTypeOf = () => {
    const type = read(5);
    return type === 31 ? 32 + read(6) : type;
  };
  let objectType = objectTypeOf();
  const samplingFrequencyIndex = read(4);
  if (samplingFrequencyIndex === 15) throw new RangeError('AudioSpecificConfig with an explicit sample rate cannot be carried in ADTS');
  const channelConfiguration = read(4);
  if (objectType === 5 || objectType === 29) {
    // SBR/PS: the extension's sample rate, then the core's object type; ADTS carries the core.
    const extensionIndex = read(4);
    if (extensionIndex === 15) read(24);
    objectType = objectTypeOf();
  }
  if (objectType < 1 || objectType > 4) throw new RangeError(`AAC object type ${objectType} cannot be carried in ADTS`);
  if (samplingFrequencyIndex >= SAMPLE_RATES.length)
    throw new RangeError(`AAC sampling frequency index ${samplingFrequencyIndex} is reserved`);
  if (channelConfiguration === 0 || channelConfiguration > 7) {
    throw new RangeError(`AAC channel configuration ${channelConfiguration} cannot be carried in ADTS without a program config element`);
  }
  return { objectType, samplingFrequencyIndex, sampleRate: SAMPLE_RATES[samplingFrequencyIndex], channelConfiguration };
}

const ADTS_HEADER_SIZE = 7;
const MAX_ADTS_FRAME = 0x1fff;

/** The raw frame behind an ADTS header (MPEG-4, no CRC, one raw data block). */
export function adtsFrame(frame: Buffer, config: AacConfig): Buffer {
  const length = ADTS_HEADER_SIZE + frame.length;
  if (length > MAX_ADTS_FRAME) throw new RangeError(`AAC frame of ${frame.length} bytes does not fit an ADTS header`);
  const out = Buffer.alloc(length);
  out[0] = 0xff;
  out[1] = 0xf1; // syncword, MPEG-4, layer 0, protection_absent
  out[2] = ((config.objectType - 1) << 6) | (config.samplingFrequencyIndex << 2) | (config.channelConfiguration >> 2);
  out[3] = ((config.channelConfiguration & 0x03) << 6) | (length >> 11);
  out[4] = (length >> 3) & 0xff;
  out[5] = ((length & 0x07) << 5) | 0x1f; // buffer fullness 0x7FF (variable rate)
  out[6] = 0xfc; // rest of buffer fullness, one raw data block
  frame.copy(out, ADTS_HEADER_SIZE);
  return out;
}
