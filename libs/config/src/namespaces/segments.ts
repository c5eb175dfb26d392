import { defineConfig } from '../define-config';
import { positiveInt, positiveNumber } from '../schemas';

/**
 * The time budget every app shares (docs/design-notes.md#time-budget). All deadlines are
 * factors of a segment's own duration so they scale with the configured length.
 */
export const segmentsConfig = defineConfig(
  'segments',
  {
    SEGMENT_TARGET_SECONDS: {
      schema: positiveInt(2, 10),
      description:
        "Target segment length ingest cuts at (on keyframes), 1..10 s; also a session's HLS target duration when the publisher's keyframe interval fits it.",
    },
    MAX_KEYFRAME_INTERVAL_SECONDS: {
      schema: positiveInt(4, 20),
      description:
        "Publishers with a longer keyframe interval are refused. A session's HLS target duration is measured from its publisher, not taken from this.",
    },
    UPLOAD_TIMEOUT_FACTOR: {
      schema: positiveNumber(2, 20),
      description: 'Broadcaster read timeout = this x segment duration.',
    },
    LIVE_DEADLINE_FACTOR: {
      schema: positiveNumber(5, 60),
      description: 'A segment not delivered this x its duration after ingest is dropped (deadline-exceeded).',
    },
  },
  (env) => ({
    targetSeconds: env.SEGMENT_TARGET_SECONDS,
    maxKeyframeIntervalSeconds: env.MAX_KEYFRAME_INTERVAL_SECONDS,
    uploadTimeoutFactor: env.UPLOAD_TIMEOUT_FACTOR,
    liveDeadlineFactor: env.LIVE_DEADLINE_FACTOR,
  }),
);
