import { CreatedStream, Pipeline, TimelineEntry, waitFor } from '@lib/testing';
import { percentile } from './proc-stats';

type Row = TimelineEntry & { ingestedAt: number; republishedAt: number | null };

export interface SegmentAccount {
  sessions: number;
  segments: number;
  republished: number;
  unresolved: number;
  /** drop reason -> segments */
  dropped: Record<string, number>;
  /** ingest closed the segment -> the stitcher listed it (ledger times, ms), per republished segment */
  republishLagMs: number[];
  /** The same, of a session's first STARTUP_SEQS segments only (a publish's start-up: stream creation, first pushes, first listing) */
  startupLagMs: number[];
  /** Where the time of republished segments went (ledger times, ms): closed -> queued -> uploaded -> listed, start-up seqs and the rest apart */
  steps: Record<'startup' | 'steady', { queued: number[]; uploaded: number[]; listed: number[] }>;
  /** One line per session that lost or left segments: which seqs, when ingest closed them, and how. */
  problems: string[];
}

/** A session's first segments, whose lag is the start-up's (reported apart from the steady state's). */
export const STARTUP_SEQS = 3;

const settled = (e: Row) =>
  e.state === 'republished' || e.state === 'dropped' || Object.values(e.renditions).some((r) => r.state === 'dropped');

/**
 * Every segment of every session of `streams`, from the ledger: republished, dropped (with its
 * reason) or unresolved, once all have settled or `settleMs` has passed (one deadline for all:
 * the last segments settle within seconds of the publishes' end).
 */
export async function accountSegments(pipeline: Pipeline, streams: CreatedStream[], settleMs = 90_000): Promise<SegmentAccount> {
  const account: SegmentAccount = {
    sessions: 0,
    segments: 0,
    republished: 0,
    unresolved: 0,
    dropped: {},
    republishLagMs: [],
    startupLagMs: [],
    steps: { startup: { queued: [], uploaded: [], listed: [] }, steady: { queued: [], uploaded: [], listed: [] } },
    problems: [],
  };
  const settleBy = Date.now() + settleMs;
  for (const stream of streams) {
    for (const session of await pipeline.sessions(stream)) {
      account.sessions++;
      const timeline = await waitFor(
        async () => {
          const rows = (await pipeline.timeline(session.id)) as Row[];
          return rows.every(settled) ? rows : null;
        },
        { timeoutMs: Math.max(1000, settleBy - Date.now()), what: `session ${session.id} settled` },
      ).catch(async () => (await pipeline.timeline(session.id)) as Row[]);
      const lost = new Map<string, Row[]>();
      for (const e of timeline) {
        account.segments++;
        const skip = Object.values(e.renditions).find((r) => r.state === 'dropped');
        if (e.state === 'republished' && !skip) {
          account.republished++;
          if (e.republishedAt != null) account.republishLagMs.push(e.republishedAt - e.ingestedAt);
          if (e.republishedAt != null && e.seq < STARTUP_SEQS) account.startupLagMs.push(e.republishedAt - e.ingestedAt);
          if (e.republishedAt != null && e.queuedAt && e.uploadedAt) {
            const steps = account.steps[e.seq < STARTUP_SEQS ? 'startup' : 'steady'];
            steps.queued.push(e.queuedAt - e.ingestedAt);
            steps.uploaded.push(e.uploadedAt - e.queuedAt);
            steps.listed.push(e.republishedAt - e.uploadedAt);
          }
        } else if (e.state === 'dropped' || skip) {
          const reason = e.dropReason ?? skip?.dropReason ?? 'no reason';
          account.dropped[reason] = (account.dropped[reason] ?? 0) + 1;
          (lost.get(reason) ?? lost.set(reason, []).get(reason)!).push(e);
        } else {
          account.unresolved++;
          (lost.get(`unresolved (${e.state})`) ?? lost.set(`unresolved (${e.state})`, []).get(`unresolved (${e.state})`)!).push(e);
        }
      }
      for (const [how, rows] of lost) {
        const at = (row: Row) => new Date(row.ingestedAt).toISOString().slice(11, 19);
        account.problems.push(
          `session ${session.id}: ${rows.length} ${how}, seqs ${rows[0].seq}-${rows[rows.length - 1].seq} (closed ${at(rows[0])}-${at(rows[rows.length - 1])} UTC)`,
        );
      }
    }
  }
  return account;
}

export function describeDrops(account: SegmentAccount): string {
  return (
    Object.entries(account.dropped)
      .map(([r, n]) => `${r} ${n}`)
      .join(', ') || 'none'
  );
}

/** "closed -> queued p50/p95, queued -> uploaded ..., uploaded -> listed ..." for one part of the steps. */
export function describeSteps(steps: SegmentAccount['steps']['startup']): string {
  const part = (name: string, values: number[]) => `${name} ${Math.round(percentile(values, 50))} / ${Math.round(percentile(values, 95))}`;
  return [
    part('closed -> queued', steps.queued),
    part('queued -> uploaded', steps.uploaded),
    part('uploaded -> listed', steps.listed),
  ].join(', ');
}
