/** One stretch of consecutive source seqs a worker transcoded itself (`FALLBACK_TRANSCODE=local`). */
export interface FallbackPeriod {
  fromSeq: number;
  toSeq: number;
  segments: number;
  /** When ingest recorded the first segment of the period, and when the last one was delivered (epoch ms). */
  from: number;
  to: number | null;
}

/**
 * The session's fallback periods from the ledger's locally transcoded rows (seq order): a
 * period ends where a seq in between went to a broadcaster again (or was lost).
 */
export function fallbackPeriods(rows: readonly { seq: number; ingestedAt: number; uploadedAt: number | null }[]): FallbackPeriod[] {
  const periods: FallbackPeriod[] = [];
  for (const row of rows) {
    const last = periods.at(-1);
    if (last && row.seq === last.toSeq + 1) {
      last.toSeq = row.seq;
      last.segments += 1;
      last.to = row.uploadedAt ?? last.to;
    } else {
      periods.push({ fromSeq: row.seq, toSeq: row.seq, segments: 1, from: row.ingestedAt, to: row.uploadedAt });
    }
  }
  return periods;
}
