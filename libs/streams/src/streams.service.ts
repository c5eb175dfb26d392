import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { type Ladder, SessionRepository, type StreamEntity, StreamRepository, type StreamPage } from '@lib/database';
import { StorageService, objectKeys } from '@lib/storage';
import { sleep } from '@lib/timing';
import { normalizeLadder } from './ladder';
import { LADDER_CHECK, type LadderCheckResult, type LadderChecker } from './ladder-check';
import { DEFAULT_STREAM_SETTINGS, checkStreamSettings, type StreamSettings } from './stream-settings';
import { generatePlaybackId, generateStreamKey, hashStreamKey, looksLikeStreamKey } from './stream-key';
import type { StreamControlEvent } from '@lib/queue';
import { StreamEventsPublisher } from './stream-events.publisher';
import { PublishUrls, StreamUrlSettings, playbackUrl, publishUrls } from './stream-urls';

export const STREAM_URL_SETTINGS = 'streams:url-settings';

export class StreamNotFoundError extends Error {
  constructor(readonly streamId: string) {
    super(`no stream with id ${streamId}`);
    this.name = 'StreamNotFoundError';
  }
}

export class InvalidStreamNameError extends Error {
  constructor(reason: string) {
    super(`invalid stream name: ${reason}`);
    this.name = 'InvalidStreamNameError';
  }
}

/** A stream as shown to operators: never the key (only its hash is stored). */
export interface StreamView extends StreamSettings {
  id: string;
  name: string;
  ladder: Ladder;
  playbackId: string;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
  playbackUrl: string;
}

/** What creation and key rotation return: the only time the key is visible. */
export interface StreamWithKey extends StreamView {
  streamKey: string;
  publishUrls: PublishUrls;
}

/** DELETE of a live stream without `force`. */
export class StreamLiveError extends Error {
  constructor(readonly streamId: string) {
    super(`stream ${streamId} is live; end the publish first or delete with force`);
    this.name = 'StreamLiveError';
  }
}

/** What a deletion removed. */
export interface StreamDeletion {
  id: string;
  sessions: number;
  objects: number;
  /** A live publish was ended first (force). */
  endedLivePublish: boolean;
}

export interface UpdateStreamInput {
  name?: string;
  ladder?: unknown;
  enabled?: boolean;
  /** Recording and DVR settings (`record`, `dvrWindowSeconds`, `recordingRetentionDays`), as updateSettings takes them. */
  record?: unknown;
  dvrWindowSeconds?: unknown;
  recordingRetentionDays?: unknown;
}

/** Create and ladder change also say what the Livepeer API made of the ladder. */
export interface LadderChecked {
  ladderCheck: LadderCheckResult;
}

export interface CreateStreamInput {
  name: string;
  ladder?: unknown;
  /** record, dvrWindowSeconds, recordingRetentionDays (checkStreamSettings). */
  settings?: unknown;
}

const NAME_MAX = 200;
/** How long a forced delete waits for ingest to end the live publish before deleting anyway. */
const FORCED_END_WAIT_MS = 15_000;

function checkName(name: unknown): string {
  if (typeof name !== 'string') throw new InvalidStreamNameError('a name is required');
  const trimmed = name.trim();
  if (!trimmed) throw new InvalidStreamNameError('it must not be empty');
  if (trimmed.length > NAME_MAX) throw new InvalidStreamNameError(`it must be at most ${NAME_MAX} characters`);
  return trimmed;
}

/**
 * Streams and their keys. Used by the ingest app (key
 * checks), its CLI and the stitcher's admin API. Creating a stream never calls
 * Livepeer: each publish creates its own Livepeer stream from the ladder stored here.
 */
@Injectable()
export class StreamsService {
  constructor(
    private readonly streams: StreamRepository,
    @Inject(STREAM_URL_SETTINGS) private readonly urls: StreamUrlSettings,
    private readonly events: StreamEventsPublisher,
    private readonly sessions: SessionRepository,
    private readonly storage: StorageService,
    @Inject(LADDER_CHECK) private readonly ladderChecker: LadderChecker,
  ) {}

  /**
   * Validates name and ladder (Livepeer's rules, then the configured Livepeer API itself), stores
   * the key's hash, returns the key once.
   */
  async create(input: CreateStreamInput): Promise<StreamWithKey & LadderChecked> {
    const name = checkName(input.name);
    const ladder = normalizeLadder(input.ladder);
    const settings = { ...DEFAULT_STREAM_SETTINGS, ...checkStreamSettings(input.settings) };
    // Last of the checks: it asks the Livepeer API, which bad local input must not reach.
    const ladderCheck = await this.ladderChecker.check(name, ladder);
    const streamKey = generateStreamKey();
    const now = Date.now();
    const entity: StreamEntity = {
      id: randomUUID(),
      name,
      ladder,
      keyHash: hashStreamKey(streamKey),
      playbackId: generatePlaybackId(),
      enabled: true,
      ...settings,
      createdAt: now,
      updatedAt: now,
    };
    await this.streams.insert(entity);
    return { ...this.withKey(entity, streamKey), ladderCheck };
  }

  async list(): Promise<StreamView[]> {
    const rows = await this.streams.list();
    return rows.map((row) => this.view(row));
  }

  async page(page: StreamPage): Promise<StreamView[]> {
    return (await this.streams.page(page)).map((row) => this.view(row));
  }

  async get(id: string): Promise<StreamView> {
    return this.view(await this.entity(id));
  }

  async findByPlaybackId(playbackId: string): Promise<StreamView | null> {
    const row = await this.streams.byPlaybackId(playbackId);
    return row ? this.view(row) : null;
  }

  /**
   * The stream a publisher's key belongs to (enabled or not: the caller refuses
   * disabled ones with its own message), or null. Looked up by hash only.
   */
  async findByKey(streamKey: string): Promise<StreamEntity | null> {
    if (!looksLikeStreamKey(streamKey)) return null;
    return this.streams.byKeyHash(hashStreamKey(streamKey));
  }

  /** The stored entity, for ingest's per-publish checks (enabled, ladder). */
  findEntity(id: string): Promise<StreamEntity | null> {
    return this.streams.get(id);
  }

  /** Applies from the next publish: a live session keeps the Livepeer stream it has. */
  async updateLadder(id: string, ladder: unknown): Promise<StreamView & LadderChecked> {
    const normalized = normalizeLadder(ladder);
    const row = await this.entity(id);
    const ladderCheck = await this.ladderChecker.check(row.name, normalized);
    row.ladder = normalized;
    row.updatedAt = Date.now();
    await this.streams.save(row);
    await this.announce(id, 'stream-ladder-updated');
    return { ...this.view(row), ladderCheck };
  }

  /** Recording and DVR settings: they apply from the stream's next session. */
  async updateSettings(id: string, patch: unknown): Promise<StreamView> {
    const checked = checkStreamSettings(patch);
    const row = await this.entity(id);
    Object.assign(row, checked);
    row.updatedAt = Date.now();
    await this.streams.save(row);
    return this.view(row);
  }

  /**
   * Changes the fields given, all checked before anything is written: the name, the ladder (from
   * the next publish), the recording and DVR settings (from the next session) and enabled
   * (disabling ends a live publish, as `disable` does).
   */
  async update(id: string, input: UpdateStreamInput): Promise<StreamView & Partial<LadderChecked>> {
    const row = await this.entity(id);
    const { name: _name, ladder: _ladder, enabled: _enabled, ...settingsPatch } = input;
    const settings = Object.keys(settingsPatch).length ? checkStreamSettings(settingsPatch) : {};
    const name = input.name === undefined ? row.name : checkName(input.name);
    const ladder = input.ladder === undefined ? row.ladder : normalizeLadder(input.ladder);
    const ladderChanged = input.ladder !== undefined;
    // A new ladder is judged by the configured Livepeer API like one set with updateLadder.
    const ladderCheck = ladderChanged ? await this.ladderChecker.check(name, ladder) : undefined;
    const enabledChanged = input.enabled !== undefined && input.enabled !== row.enabled;
    Object.assign(row, settings, { name, ladder, enabled: input.enabled ?? row.enabled, updatedAt: Date.now() });
    await this.streams.save(row);
    if (ladderChanged) await this.announce(id, 'stream-ladder-updated');
    if (enabledChanged) await this.announce(id, row.enabled ? 'stream-enabled' : 'stream-disabled');
    return ladderCheck ? { ...this.view(row), ladderCheck } : this.view(row);
  }

  /**
   * Deletes the stream for good: its key and playback id stop working, its sessions, ledger and
   * rendition rows go, and so do its objects (republished playlists and segments, source and
   * transcoded segments). Refused while a publish is live unless `force`, which first disables
   * the stream so ingest ends the publish.
   */
  async delete(id: string, options: { force: boolean }): Promise<StreamDeletion> {
    const row = await this.entity(id);
    const live = (await this.sessions.live()).some((s) => s.streamId === id);
    if (live && !options.force) throw new StreamLiveError(id);
    if (live) {
      row.enabled = false;
      row.updatedAt = Date.now();
      await this.streams.save(row);
      await this.announce(id, 'stream-disabled');
      await this.untilNotLive(id);
    }
    const removed = await this.streams.deleteWithHistory(id);
    if (!removed) throw new StreamNotFoundError(id);
    let objects = await this.storage.removePrefix(objectKeys.hlsStream(removed.playbackId));
    for (const sessionId of removed.sessionIds) objects += await this.storage.removePrefix(objectKeys.sourceSession(sessionId));
    return { id, sessions: removed.sessionIds.length, objects, endedLivePublish: live };
  }

  /** Ingest ends a disabled stream's publish at once (event) or at its next check (seconds); the rows go only after that, so no segment of it lands after them. */
  private async untilNotLive(id: string): Promise<void> {
    const until = Date.now() + FORCED_END_WAIT_MS;
    while (Date.now() < until && (await this.sessions.live()).some((s) => s.streamId === id)) await sleep(200);
  }

  async rename(id: string, name: string): Promise<StreamView> {
    const row = await this.entity(id);
    row.name = checkName(name);
    row.updatedAt = Date.now();
    await this.streams.save(row);
    return this.view(row);
  }

  /**
   * Refuses new publishes and ends a live one: ingest copies listen for the event,
   * and also re-read the stream every few seconds while publishing.
   * `announced` is false when the event could not be published (the publish then
   * ends at ingest's next check instead of at once).
   */
  async disable(id: string): Promise<StreamView & { announced: boolean }> {
    const view = await this.setEnabled(id, false);
    return { ...view, announced: await this.announce(id, 'stream-disabled') };
  }

  async enable(id: string): Promise<StreamView> {
    const view = await this.setEnabled(id, true);
    await this.announce(id, 'stream-enabled');
    return view;
  }

  /** A new key; the old one stops working for new publishes at once (a live publish continues). */
  async rotateKey(id: string): Promise<StreamWithKey> {
    const row = await this.entity(id);
    const streamKey = generateStreamKey();
    row.keyHash = hashStreamKey(streamKey);
    row.updatedAt = Date.now();
    await this.streams.save(row);
    await this.announce(id, 'stream-key-rotated');
    return this.withKey(row, streamKey);
  }

  publishUrls(streamKey: string): PublishUrls {
    return publishUrls(this.urls, streamKey);
  }

  playbackUrl(playbackId: string): string {
    return playbackUrl(this.urls, playbackId);
  }

  private async setEnabled(id: string, enabled: boolean): Promise<StreamView> {
    const row = await this.entity(id);
    row.enabled = enabled;
    row.updatedAt = Date.now();
    await this.streams.save(row);
    return this.view(row);
  }

  private announce(streamId: string, type: StreamControlEvent['type']): Promise<boolean> {
    return this.events.publish({ type, streamId, at: Date.now() });
  }

  private async entity(id: string): Promise<StreamEntity> {
    const row = await this.streams.get(id);
    if (!row) throw new StreamNotFoundError(id);
    return row;
  }

  private view(row: StreamEntity): StreamView {
    return {
      id: row.id,
      name: row.name,
      ladder: row.ladder,
      playbackId: row.playbackId,
      enabled: row.enabled,
      record: row.record,
      dvrWindowSeconds: row.dvrWindowSeconds,
      recordingRetentionDays: row.recordingRetentionDays,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      playbackUrl: this.playbackUrl(row.playbackId),
    };
  }

  private withKey(row: StreamEntity, streamKey: string): StreamWithKey {
    return { ...this.view(row), streamKey, publishUrls: this.publishUrls(streamKey) };
  }
}
