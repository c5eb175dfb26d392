/**
 * The admin API's answers as the dashboard reads them (only the fields it shows). Types only:
 * they are erased from the browser code.
 */
import type { BroadcasterView } from '../admin/broadcasters.service';
import type { BroadcasterSeries, DropSeries } from '../admin/history-series';
import type { OverviewCard, OverviewSnapshot, TranscodeReport } from '../admin/overview.service';
import type { QueueSample } from '../admin/queue-sampler';
import type { RenditionStatus, SegmentCounts } from '../admin/sessions.service';

export type {
  BroadcasterSeries,
  BroadcasterView,
  DropSeries,
  OverviewCard,
  OverviewSnapshot,
  QueueSample,
  RenditionStatus,
  SegmentCounts,
  TranscodeReport,
};

export interface StreamHistory {
  from: number;
  to: number;
  sessionIds: string[];
  segments: { ingestedAt: number[]; seq: number[]; roundTripMs: (number | null)[]; republishLagMs: (number | null)[] };
  drops: DropSeries;
}

export interface BroadcasterHistory {
  from: number;
  to: number;
  bucketMs: number;
  bucketStart: number[];
  broadcasters: BroadcasterSeries[];
}

export interface QueueHistory {
  name: string;
  sampleMs: number;
  samples: QueueSample[];
}

export interface EventTicket {
  ticket: string;
  expiresAt: number;
}

export interface Preset {
  name: string;
}

export interface Ladder {
  profiles?: { name: string; width: number; height: number }[];
  presets?: string[];
}

export interface StreamSummary {
  id: string;
  name: string;
  ladder: Ladder;
  playbackId: string;
  playbackUrl: string;
  enabled: boolean;
  liveSessionId: string | null;
}

/** Creation and key rotation: the only answers with the key. */
export interface CreatedStream {
  id: string;
  name: string;
  streamKey: string;
  publishUrls: { rtmp: string; httpPush: string };
  playbackUrl: string;
  /** What the Livepeer API made of the ladder; `warning` when it could not be asked. */
  ladderCheck?: { result: 'accepted' | 'unchecked' | 'skipped'; warning?: string };
}

export interface SessionDetail {
  id: string;
  streamName: string;
  state: string;
  playbackId: string | null;
  renditions: RenditionStatus[];
  counts: SegmentCounts;
  /** "transcoding", "degraded" or "not transcoding: <why>"; speed = media duration / push round trip. */
  transcode: { status: string; speedFactor: number | null };
  /** Segments a worker transcoded itself (FALLBACK_TRANSCODE=local), in periods. */
  fallback?: { segments: number; periods: { fromSeq: number; toSeq: number }[] };
}

export interface TimelineEntry {
  seq: number;
  msn: number | null;
  durationMs: number | null;
  state: string;
  dropReason: string | null;
  ingestedAt: number;
  uploadedAt: number | null;
  republishedAt: number | null;
  /** Epoch ms written as the segment's #EXT-X-PROGRAM-DATE-TIME (null when not listed or not known). */
  programDateTime: number | null;
  broadcasters: string[] | null;
  renditions: Record<string, { state: string }>;
}

export interface BroadcasterList {
  broadcasters: BroadcasterView[];
  apiError: string | null;
}

export interface QueueSummary {
  name: string;
  paused: boolean;
  counts: Record<'waiting' | 'active' | 'delayed' | 'failed' | 'completed', number>;
}
