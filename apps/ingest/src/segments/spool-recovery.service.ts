import { Injectable, Logger } from '@nestjs/common';
import { readdir, rm, stat, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InjectConfig, type ConfigOf, ingestConfig, segmentsConfig } from '@lib/config';
import { LedgerService, type SessionEntity } from '@lib/database';
import { probeMedia } from '@lib/media';
import { sleep } from '@lib/timing';
import { AdmissionService } from '../admission/admission.service';
import type { Protocol } from '../ingest-metrics';
import { PublishLockService, lockHeldBySession } from '../publish/publish-lock.service';
import { SessionRecorder } from '../publish/session-recorder.service';
import { LivepeerGate } from './livepeer-gate';
import { liveDeadline } from './segment-backlog';
import { ClosedSegment, SegmentShipper, SegmentShipperFactory } from './segment-shipper';
import { strictlyAfter } from './segment-start-clock';

/** The reason a session left open by a dead ingest process is ended with. */
export const INGEST_RESTARTED = 'ingest restarted';
/** A segment file younger than this may still be written by the dead process's ffmpeg (it closes the last one on EOF). */
const SETTLE_MS = 2000;
const PROBE_TIMEOUT_MS = 10_000;

/** What the spool of a dead process held for one session, once recovered. */
export interface RecoveredSession {
  sessionId: string;
  ended: boolean;
  shipped: number;
  dropped: number;
}

/**
 * What an ingest process that died (SIGKILL, OOM, power) left behind, found on start. The spool
 * (INGEST_SPOOL_DIR/<sessionId>/<seq>.ts, apps/ingest/README.md, Sessions) is this process's own:
 * every session directory in it belongs to a process that is gone. For each one:
 *   - the session, if still `starting` or `live`, is ended with `ingest restarted` (the stitcher
 *     then closes its playlists after its grace), and its publish lock freed for a reconnect;
 *   - each cut segment whose ledger row is missing or `ingested` is shipped like any other
 *     (stored, enqueued) if it is still within its live deadline, else recorded `dropped` with
 *     `ingest-restarted`, so every segment cut has a ledger row and every drop a reason.
 * A pushed body whose push was never answered is deleted: the pusher sends it again.
 */
@Injectable()
export class SpoolRecovery {
  private readonly logger = new Logger('SpoolRecovery');
  private readonly shippers = new Set<SegmentShipper>();

  constructor(
    private readonly sessions: SessionRecorder,
    private readonly ledger: LedgerService,
    private readonly lock: PublishLockService,
    private readonly admission: AdmissionService,
    private readonly factory: SegmentShipperFactory,
    @InjectConfig(ingestConfig) private readonly ingest: ConfigOf<typeof ingestConfig>,
    @InjectConfig(segmentsConfig) private readonly segments: ConfigOf<typeof segmentsConfig>,
  ) {}

  /** The session directories present now (call before any publish of this process opens one). */
  async leftBehind(): Promise<string[]> {
    const entries = await readdir(this.ingest.spoolDir, { withFileTypes: true }).catch(() => []);
    return entries.filter((e) => e.isDirectory()).map((e) => e.name);
  }

  async recover(sessionIds: string[]): Promise<RecoveredSession[]> {
    const recovered: RecoveredSession[] = [];
    for (const sessionId of sessionIds) {
      try {
        recovered.push(await this.recoverSession(sessionId));
      } catch (err) {
        // The database away at start: the directory stays, and the next start tries again.
        this.logger.error(
          { event: 'spool-recovery-failed', sessionId, err: (err as Error).message },
          'could not recover a spooled session',
        );
      }
    }
    return recovered;
  }

  /** Shutdown: segments still being shipped are dropped (recorded) instead of retried. */
  abort(reason: string): void {
    for (const shipper of this.shippers) shipper.abort(reason);
  }

  private async recoverSession(sessionId: string): Promise<RecoveredSession> {
    const dir = path.join(this.ingest.spoolDir, sessionId);
    const session = await this.sessions.get(sessionId);
    if (!session) {
      this.logger.warn({ event: 'spool-unknown-session', sessionId }, 'spool directory of an unknown session removed');
      await rm(dir, { recursive: true, force: true });
      return { sessionId, ended: false, shipped: 0, dropped: 0 };
    }
    if (heldByAnotherLiveProcess(await this.lock.holder(session.streamId).catch(() => null), session.id)) {
      // Two copies configured with one spool directory: this session is not a dead process's.
      this.logger.warn(
        { event: 'spool-shared', sessionId },
        'spool directory of a session another live ingest on this machine publishes: left alone (give each copy its own INGEST_SPOOL_DIR)',
      );
      return { sessionId, ended: false, shipped: 0, dropped: 0 };
    }
    const ended = await this.sessions.endOrphan(session.id, session.streamId, INGEST_RESTARTED);
    if (ended) {
      this.logger.warn(
        { event: 'orphan-session-ended', sessionId, streamId: session.streamId, reason: INGEST_RESTARTED },
        'session left open by a dead ingest process ended',
      );
      await this.lock.releaseSession(session.streamId, session.id).catch(() => undefined);
      await this.admission.release(session.id).catch(() => undefined);
    }
    const counts = await this.shipLeftovers(session, dir);
    await rm(dir, { recursive: true, force: true });
    this.logger.log(
      { event: 'spool-recovered', sessionId, ended, ...counts },
      `spool of session ${sessionId} recovered: ${counts.shipped} shipped, ${counts.dropped} dropped`,
    );
    return { sessionId, ended, ...counts };
  }

  private async shipLeftovers(session: SessionEntity, dir: string): Promise<{ shipped: number; dropped: number }> {
    const files = await readdir(dir).catch(() => [] as string[]);
    const cut = files
      .filter((f) => /^\d+\.ts$/.test(f))
      .map((f) => Number(f.slice(0, -3)))
      .sort((a, b) => a - b);
    for (const other of files.filter((f) => !/^\d+\.ts$/.test(f))) await unlink(path.join(dir, other)).catch(() => undefined);
    if (!cut.length) return { shipped: 0, dropped: 0 };

    const gate = new LivepeerGate();
    if (session.livepeerStreamId) gate.open(session.livepeerStreamId);
    else gate.close(`no Livepeer stream: ${INGEST_RESTARTED}`);
    const shipper = this.factory.create(
      { sessionId: session.id, streamId: session.streamId, protocol: session.protocol as Protocol, gate },
      this.logger,
    );
    this.shippers.add(shipper);
    let shipped = 0;
    let dropped = 0;
    let previousStart = (await this.ledger.newest(session.id, 1))[0]?.startedAt ?? undefined;
    try {
      for (const seq of cut) {
        const file = path.join(dir, `${seq}.ts`);
        const row = await this.ledger.get(session.id, seq);
        if (row && row.state !== 'ingested') {
          await unlink(file).catch(() => undefined); // handed on already; only its removal was missed
          continue;
        }
        const outcome = await this.leftover(session, seq, file, row?.startedAt ?? undefined, previousStart);
        previousStart = outcome.segment.startedAt;
        if (outcome.drop) {
          shipper.discard(outcome.segment, 'ingest-restarted', outcome.drop);
          dropped++;
        } else {
          shipper.submit(outcome.segment);
          shipped++;
        }
      }
      await shipper.drain();
    } finally {
      this.shippers.delete(shipper);
    }
    return { shipped, dropped };
  }

  /** The segment as the shipper takes it, and why it is dropped if it is. */
  private async leftover(
    session: SessionEntity,
    seq: number,
    file: string,
    recordedStart: number | undefined,
    previousStart: number | undefined,
  ): Promise<{ segment: ClosedSegment; drop?: string }> {
    let info = await stat(file);
    const young = info.mtimeMs + SETTLE_MS - Date.now();
    if (young > 0) {
      await sleep(young);
      info = await stat(file);
    }
    const closedAt = Math.round(info.mtimeMs);
    const resolution = session.source?.width && session.source?.height ? `${session.source.width}x${session.source.height}` : null;
    const base = { seq, file, bytes: info.size, resolution, closedAt };
    let durationMs: number;
    try {
      const probed = await probeMedia(file, { timeoutMs: PROBE_TIMEOUT_MS, untrustedFormat: 'mpegts' });
      // the container's duration: within a frame or two of what the segmenter would have recorded
      durationMs = Math.round(probed.duration * 1000);
      if (!probed.video || durationMs <= 0) throw new Error('no video in it');
    } catch (err) {
      const startedAt = recordedStart ?? strictlyAfter(closedAt, previousStart);
      return {
        segment: { ...base, durationMs: 0, startedAt },
        drop: `left in the spool by a dead ingest process and unreadable: ${(err as Error).message.slice(0, 200)}`,
      };
    }
    const segment = { ...base, durationMs, startedAt: recordedStart ?? strictlyAfter(closedAt - durationMs, previousStart) };
    const deadline = liveDeadline(closedAt, durationMs, this.segments.liveDeadlineFactor);
    if (deadline < Date.now()) {
      return { segment, drop: `left in the spool by a dead ingest process; found ${Date.now() - deadline} ms after its live deadline` };
    }
    return { segment };
  }
}

/**
 * Whether the session's lock is held by another process of this machine that is alive (owner
 * token `host/pid/sessionId`, Publish.lockOwner). A dead process's lock outlives it by up to
 * the TTL; its pid is gone, or (a restarted container) is this process's own.
 */
export function heldByAnotherLiveProcess(owner: string | null, sessionId: string): boolean {
  if (!lockHeldBySession(owner, sessionId)) return false;
  const [host, pidText] = owner!.split('/');
  const pid = Number(pidText);
  if (host !== os.hostname() || !Number.isInteger(pid) || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
