import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RenditionSegmentEntity, SegmentEntity } from '../entities';
import { SOURCE_RENDITION } from '../ledger-states';

/**
 * Traffic figures of sessions or streams, named as Livepeer Studio names them where the meaning
 * is the same (durations in seconds, rates in bytes per second over the last `rateWindowMs`).
 */
export interface TrafficStats {
  sourceSegments: number;
  /** Segments a broadcaster transcoded (the ledger reached `uploaded`). */
  transcodedSegments: number;
  sourceSegmentsDuration: number;
  transcodedSegmentsDuration: number;
  sourceBytes: number;
  /** Bytes of the republished renditions (the source variant not counted). */
  transcodedBytes: number;
  ingestRate: number;
  outgoingRate: number;
  /** Epoch ms of the newest ingested segment, null before the first. */
  lastSeen: number | null;
  /** Mean push round trip (includes transcoding), ms. */
  meanRoundTripMs: number | null;
  /** Mean time from ingest to listing in the playlists, ms. */
  meanRepublishLagMs: number | null;
  /** Segments the ledger has dropped, by reason (ingest, worker and the stitcher's skips of delivered seqs aside). */
  drops: { total: number; byReason: Record<string, number> };
}

export const RATE_WINDOW_MS = 20_000;

type Group = 'session_id' | 'stream_id';

/** One grouped pass over the ledger and the rendition rows per call (no per-row reads). */
@Injectable()
export class StreamStatsRepository {
  constructor(private readonly ds: DataSource) {}

  bySession(ids: string[], now = Date.now()): Promise<Map<string, TrafficStats>> {
    return this.aggregate('session_id', ids, now);
  }

  byStream(ids: string[], now = Date.now()): Promise<Map<string, TrafficStats>> {
    return this.aggregate('stream_id', ids, now);
  }

  private async aggregate(group: Group, ids: string[], now: number): Promise<Map<string, TrafficStats>> {
    const out = new Map(ids.map((id) => [id, emptyTrafficStats()]));
    if (ids.length === 0) return out;
    const since = now - RATE_WINDOW_MS;
    const ledger = await this.ds
      .getRepository(SegmentEntity)
      .createQueryBuilder('s')
      .select(`s.${group}`, 'id')
      .addSelect('COUNT(*)', 'segments')
      .addSelect('COUNT(s.uploaded_at)', 'transcoded')
      .addSelect('COALESCE(SUM(s.duration_ms), 0)', 'durationMs')
      .addSelect('COALESCE(SUM(CASE WHEN s.uploaded_at IS NOT NULL THEN s.duration_ms ELSE 0 END), 0)', 'transcodedMs')
      .addSelect('COALESCE(SUM(s.bytes), 0)', 'bytes')
      .addSelect('COALESCE(SUM(CASE WHEN s.ingested_at > :since THEN s.bytes ELSE 0 END), 0)', 'recentBytes')
      .addSelect('MAX(s.ingested_at)', 'lastSeen')
      .addSelect('AVG(s.round_trip_ms)', 'roundTrip')
      .where(`s.${group} IN (:...ids)`, { ids })
      .setParameter('since', since)
      .groupBy(`s.${group}`)
      .getRawMany<Record<string, string | number | null>>();
    for (const r of ledger) {
      const stats = out.get(String(r.id))!;
      stats.sourceSegments = Number(r.segments);
      stats.transcodedSegments = Number(r.transcoded);
      stats.sourceSegmentsDuration = Number(r.durationMs) / 1000;
      stats.transcodedSegmentsDuration = Number(r.transcodedMs) / 1000;
      stats.sourceBytes = Number(r.bytes);
      stats.ingestRate = Math.round(Number(r.recentBytes) / (RATE_WINDOW_MS / 1000));
      stats.lastSeen = r.lastSeen === null ? null : Number(r.lastSeen);
      stats.meanRoundTripMs = r.roundTrip === null ? null : Math.round(Number(r.roundTrip));
    }
    const republished = await this.ds
      .getRepository(RenditionSegmentEntity)
      .createQueryBuilder('r')
      .innerJoin(SegmentEntity, 's', 's.session_id = r.session_id AND s.seq = r.seq')
      .select(`s.${group}`, 'id')
      .addSelect('COALESCE(SUM(CASE WHEN r.rendition <> :source THEN r.bytes ELSE 0 END), 0)', 'transcodedBytes')
      .addSelect('COALESCE(SUM(CASE WHEN r.republished_at > :since THEN r.bytes ELSE 0 END), 0)', 'recentBytes')
      .addSelect('AVG(CASE WHEN r.rendition = :source THEN r.republished_at - s.ingested_at END)', 'lag')
      .where(`s.${group} IN (:...ids)`, { ids })
      .andWhere('r.state = :republished', { republished: 'republished' })
      .setParameters({ source: SOURCE_RENDITION, since })
      .groupBy(`s.${group}`)
      .getRawMany<Record<string, string | number | null>>();
    for (const r of republished) {
      const stats = out.get(String(r.id))!;
      stats.transcodedBytes = Number(r.transcodedBytes);
      stats.outgoingRate = Math.round(Number(r.recentBytes) / (RATE_WINDOW_MS / 1000));
      stats.meanRepublishLagMs = r.lag === null ? null : Math.round(Number(r.lag));
    }
    const drops = await this.ds
      .getRepository(SegmentEntity)
      .createQueryBuilder('s')
      .select(`s.${group}`, 'id')
      .addSelect('s.drop_reason', 'reason')
      .addSelect('COUNT(*)', 'n')
      .where(`s.${group} IN (:...ids)`, { ids })
      .andWhere('s.state = :dropped', { dropped: 'dropped' })
      .groupBy(`s.${group}`)
      .addGroupBy('s.drop_reason')
      .getRawMany<{ id: string; reason: string | null; n: string | number }>();
    for (const r of drops) {
      const { drops: d } = out.get(String(r.id))!;
      d.byReason[r.reason ?? 'unknown'] = Number(r.n);
      d.total += Number(r.n);
    }
    return out;
  }
}

export function emptyTrafficStats(): TrafficStats {
  return {
    sourceSegments: 0,
    transcodedSegments: 0,
    sourceSegmentsDuration: 0,
    transcodedSegmentsDuration: 0,
    sourceBytes: 0,
    transcodedBytes: 0,
    ingestRate: 0,
    outgoingRate: 0,
    lastSeen: null,
    meanRoundTripMs: null,
    meanRepublishLagMs: null,
    drops: { total: 0, byReason: {} },
  };
}
