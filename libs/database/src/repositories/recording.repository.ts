import { Injectable } from '@nestjs/common';
import { DataSource, In, LessThan, type Repository } from 'typeorm';
import { RecordingEntity, RecordingExportEntity, SessionEntity, type RecordingState } from '../entities';

export type RecordingFields = Partial<Omit<RecordingEntity, 'id'>>;
export type ExportFields = Partial<Omit<RecordingExportEntity, 'recordingId' | 'variant'>>;

/** Recordings, the sessions they hold and their MP4 exports (written by the stitcher and the worker). */
@Injectable()
export class RecordingRepository {
  private readonly rows: Repository<RecordingEntity>;
  private readonly exportRows: Repository<RecordingExportEntity>;
  private readonly sessions: Repository<SessionEntity>;

  constructor(ds: DataSource) {
    this.rows = ds.getRepository(RecordingEntity);
    this.exportRows = ds.getRepository(RecordingExportEntity);
    this.sessions = ds.getRepository(SessionEntity);
  }

  async insert(recording: RecordingEntity): Promise<void> {
    await this.rows.insert(recording);
  }

  get(id: string): Promise<RecordingEntity | null> {
    return this.rows.findOneBy({ id });
  }

  async update(id: string, fields: RecordingFields): Promise<void> {
    await this.rows.update({ id }, fields);
  }

  /** Applies `fields` only while the recording is in one of `states`; returns whether it was. */
  async updateIfState(id: string, states: RecordingState[], fields: RecordingFields): Promise<boolean> {
    const result = await this.rows.update({ id, state: In(states) }, fields);
    return (result.affected ?? 0) > 0;
  }

  /** The stream's recording still being recorded (a reconnect within the grace continues it). */
  openOfStream(streamId: string): Promise<RecordingEntity | null> {
    return this.rows.findOne({ where: { streamId, state: 'recording' }, order: { startedAt: 'DESC' } });
  }

  /** Newest first. */
  ofStream(streamId: string, limit = 100): Promise<RecordingEntity[]> {
    return this.rows.find({ where: { streamId }, order: { startedAt: 'DESC' }, take: limit });
  }

  /** The recording a session belongs to, if any. */
  async ofSession(sessionId: string): Promise<RecordingEntity | null> {
    const session = await this.sessions.findOne({ where: { id: sessionId }, select: { id: true, recordingId: true } });
    return session?.recordingId ? this.get(session.recordingId) : null;
  }

  async attachSession(sessionId: string, recordingId: string): Promise<void> {
    await this.sessions.update({ id: sessionId }, { recordingId });
  }

  /** The sessions of a recording, oldest first. */
  sessionsOf(recordingId: string): Promise<SessionEntity[]> {
    return this.sessions.find({ where: { recordingId }, order: { startedAt: 'ASC' } });
  }

  /** Session ids per recording. */
  async sessionIdsOf(recordingIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(recordingIds.map((id) => [id, []]));
    if (recordingIds.length === 0) return out;
    const rows = await this.sessions.find({
      where: { recordingId: In(recordingIds) },
      select: { id: true, recordingId: true, startedAt: true },
      order: { startedAt: 'ASC' },
    });
    for (const row of rows) out.get(row.recordingId!)?.push(row.id);
    return out;
  }

  /** Recordings past their expiry that still have objects, at most `limit`. */
  expired(now: number, limit: number): Promise<RecordingEntity[]> {
    return this.rows.find({
      where: { state: In(['ready', 'failed']), expiresAt: LessThan(now) },
      order: { expiresAt: 'ASC' },
      take: limit,
    });
  }

  /** Recordings left in `recording` whose sessions all closed their playlists before `cutoff` (a writer died before finishing them). */
  async stranded(cutoff: number): Promise<RecordingEntity[]> {
    const open = await this.rows.find({ where: { state: 'recording' } });
    const out: RecordingEntity[] = [];
    for (const recording of open) {
      const sessions = await this.sessionsOf(recording.id);
      if (sessions.length && sessions.every((s) => s.playlistEndedAt !== null && s.playlistEndedAt < cutoff)) out.push(recording);
    }
    return out;
  }

  exportsOf(recordingIds: string[]): Promise<RecordingExportEntity[]> {
    if (recordingIds.length === 0) return Promise.resolve([]);
    return this.exportRows.find({ where: { recordingId: In(recordingIds) }, order: { variant: 'ASC' } });
  }

  getExport(recordingId: string, variant: string): Promise<RecordingExportEntity | null> {
    return this.exportRows.findOneBy({ recordingId, variant });
  }

  /** A new request replaces an earlier export of the same variant. */
  async requestExport(recordingId: string, variant: string, at = Date.now()): Promise<void> {
    await this.exportRows.save({
      recordingId,
      variant,
      state: 'queued',
      objectKey: null,
      bytes: null,
      durationMs: null,
      error: null,
      requestedAt: at,
      updatedAt: at,
    });
  }

  async updateExport(recordingId: string, variant: string, fields: ExportFields): Promise<void> {
    await this.exportRows.update({ recordingId, variant }, { ...fields, updatedAt: Date.now() });
  }

  async deleteExports(recordingId: string): Promise<void> {
    await this.exportRows.delete({ recordingId });
  }
}
