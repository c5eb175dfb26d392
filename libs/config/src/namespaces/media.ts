import { existsSync } from 'node:fs';
import { z } from 'zod/v4';
import { defineConfig } from '../define-config';

/** A command looked up on PATH ("ffmpeg"), or a path to the binary, which must then exist. */
const tool = (fallback: string) =>
  z
    .string()
    .min(1)
    .refine((v) => !v.includes('/') || existsSync(v), 'no such file (give a command name on PATH or the path of the binary)')
    .default(fallback);

/** Where the media tools live: Debian's on PATH by default, overridable for other machines. */
export const mediaConfig = defineConfig(
  'media',
  {
    FFMPEG_PATH: {
      schema: tool('ffmpeg'),
      description: 'ffmpeg binary that transcodes (livepeer-local) and makes test media: a command on PATH or a path.',
    },
    FFPROBE_PATH: {
      schema: tool('ffprobe'),
      description: 'ffprobe binary that checks pushed segments and probes media: a command on PATH or a path.',
    },
  },
  (env) => ({ ffmpegPath: env.FFMPEG_PATH, ffprobePath: env.FFPROBE_PATH }),
);
