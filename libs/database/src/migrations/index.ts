import { InitialSchema1764000000000 } from './1764000000000-initial-schema';
import { SessionRepublishProgress1764100000000 } from './1764100000000-session-republish-progress';
import { DeriveSegmentAttempts1764200000000 } from './1764200000000-derive-segment-attempts';
import { ProgramDateTime1764300000000 } from './1764300000000-program-date-time';
import { SegmentRenditions1764400000000 } from './1764400000000-segment-renditions';
import { Recordings1764500000000 } from './1764500000000-recordings';
import { WebhooksAndApiKeys1764600000000 } from './1764600000000-webhooks-and-api-keys';

/** Every migration, oldest first. A new one is added here and nowhere else. */
export const MIGRATIONS = [
  InitialSchema1764000000000,
  SessionRepublishProgress1764100000000,
  DeriveSegmentAttempts1764200000000,
  ProgramDateTime1764300000000,
  SegmentRenditions1764400000000,
  Recordings1764500000000,
  WebhooksAndApiKeys1764600000000,
];
