import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigOf, InjectConfig, livepeerLocalConfig } from '@lib/config';
import type { LivepeerProfile } from '@lib/livepeer';
import { MediaProcessError, TranscodeMode, transcodeSegment } from '@lib/media';
import { MetricsService } from '@lib/observability';
import type { Histogram } from 'prom-client';
import { BroadcasterHttpError } from './broadcaster-http-error';

const MODE_NOTES: Record<TranscodeMode, string> = {
  ffmpeg: 'real transcoding with ffmpeg (libx264 veryfast, zerolatency, 1 thread)',
  copy: 'LOAD-TEST MODE: remux only, every rendition is the source stream',
  passthrough: 'LOAD-TEST MODE: no ffmpeg, every rendition is the source bytes',
};

/**
 * go-livepeer's broadcaster waits up to 4 x the segment duration, at least 8 s, for a transcode
 * (docs/livepeer-protocol.md §2.2, common/util.go); the same budget bounds our ffmpeg.
 */
export function transcodeTimeoutMs(durationMs: number): number {
  return Math.max(8000, 4 * durationMs);
}

@Injectable()
export class TranscoderService implements OnModuleInit {
  private readonly logger = new Logger('Transcoder');
  private readonly seconds: Histogram<'mode'>;

  constructor(
    @InjectConfig(livepeerLocalConfig) private readonly config: ConfigOf<typeof livepeerLocalConfig>,
    metrics: MetricsService,
  ) {
    this.seconds = metrics.histogram('livepeer_local_transcode_seconds', 'Time to transcode one segment into every profile', ['mode']);
  }

  get mode(): TranscodeMode {
    return this.config.transcodeMode;
  }

  get modeNote(): string {
    return MODE_NOTES[this.mode];
  }

  onModuleInit() {
    const log = { event: 'transcode-mode', mode: this.mode, loadTestMode: this.mode !== 'ffmpeg' };
    if (this.mode === 'ffmpeg') this.logger.log(log, `transcode mode ffmpeg: ${this.modeNote}`);
    else this.logger.warn(log, `transcode mode ${this.mode}: ${this.modeNote}`);
  }

  /** One buffer per profile, in profile order; failures become the push status go-livepeer uses. */
  async transcode(source: Buffer, profiles: readonly LivepeerProfile[], durationMs: number): Promise<Buffer[]> {
    const end = this.seconds.startTimer({ mode: this.mode });
    try {
      return await transcodeSegment(source, [...profiles], { mode: this.mode, timeoutMs: transcodeTimeoutMs(durationMs) });
    } catch (err) {
      if (err instanceof MediaProcessError) {
        // 422: the segment cannot be transcoded (not retryable); 500: the transcoder failed.
        throw new BroadcasterHttpError(err.isInputError ? 422 : 500, `Error transcoding segment: ${err.message}`);
      }
      throw err;
    } finally {
      end();
    }
  }
}
