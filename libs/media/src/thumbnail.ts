import { FFMPEG_PATH, runProcess } from './process';

/** Thumbnails are small: list pictures, not posters. */
export const THUMBNAIL_WIDTH = 320;

/**
 * A JPEG of the first video frame of an MPEG-TS segment (a segment starts at a keyframe, so
 * this is its keyframe), scaled to THUMBNAIL_WIDTH. One short ffmpeg run that decodes a single
 * frame; the bytes are read as MPEG-TS from stdin only (no other demuxer or protocol).
 */
export async function segmentThumbnail(segment: Buffer, options: { timeoutMs?: number } = {}): Promise<Buffer> {
  const { stdout } = await runProcess(
    FFMPEG_PATH,
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'mpegts',
      '-protocol_whitelist',
      'pipe',
      '-i',
      'pipe:0',
      '-map',
      '0:v:0',
      '-frames:v',
      '1',
      '-vf',
      `scale=${THUMBNAIL_WIDTH}:-2`,
      '-q:v',
      '5',
      '-f',
      'mjpeg',
      'pipe:1',
    ],
    { input: segment, timeoutMs: options.timeoutMs ?? 10_000 },
  );
  if (stdout.length === 0) throw new Error('ffmpeg wrote no thumbnail (no video frame in the segment)');
  return stdout;
}
