/**
 * A stream's recording and DVR settings, checked here so the admin API, the CLI and anything
 * else that changes them refuse the same values with the same words.
 */
export interface StreamSettings {
  /** Each session also becomes a VOD recording. */
  record: boolean;
  /** Seconds a live media playlist keeps (DVR); null: PLAYLIST_WINDOW_SEGMENTS segments. */
  dvrWindowSeconds: number | null;
  /** Days the stream's recordings are kept; null: RECORDING_RETENTION_DAYS; 0: until deleted. */
  recordingRetentionDays: number | null;
}

export type StreamSettingsPatch = Partial<StreamSettings>;

/** Six hours at most: beyond, a playlist is a recording, not a live window. */
export const DVR_WINDOW_MAX_SECONDS = 6 * 3600;
export const DVR_WINDOW_MIN_SECONDS = 10;
export const RECORDING_RETENTION_MAX_DAYS = 36_500;

export const DEFAULT_STREAM_SETTINGS: StreamSettings = { record: false, dvrWindowSeconds: null, recordingRetentionDays: null };

export class InvalidStreamSettingsError extends Error {
  constructor(readonly problems: { field: keyof StreamSettings; message: string }[]) {
    super(`invalid stream settings: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
    this.name = 'InvalidStreamSettingsError';
  }
}

/** The patch, checked; throws InvalidStreamSettingsError with every problem. */
export function checkStreamSettings(patch: unknown): StreamSettingsPatch {
  if (patch === undefined || patch === null) return {};
  if (typeof patch !== 'object' || Array.isArray(patch)) {
    throw new InvalidStreamSettingsError([{ field: 'record', message: 'settings must be an object' }]);
  }
  const input = patch as Record<string, unknown>;
  const problems: { field: keyof StreamSettings; message: string }[] = [];
  const out: StreamSettingsPatch = {};
  if (input.record !== undefined) {
    if (typeof input.record === 'boolean') out.record = input.record;
    else problems.push({ field: 'record', message: 'must be true or false' });
  }
  const bounded = (field: 'dvrWindowSeconds' | 'recordingRetentionDays', min: number, max: number) => {
    const value = input[field];
    if (value === undefined) return;
    if (value === null) out[field] = null;
    else if (typeof value !== 'number' || !Number.isInteger(value)) problems.push({ field, message: 'must be an integer or null' });
    else if (value < min || value > max) problems.push({ field, message: `must be ${min}..${max} (or null for the default)` });
    else out[field] = value;
  };
  bounded('dvrWindowSeconds', DVR_WINDOW_MIN_SECONDS, DVR_WINDOW_MAX_SECONDS);
  bounded('recordingRetentionDays', 0, RECORDING_RETENTION_MAX_DAYS);
  if (problems.length) throw new InvalidStreamSettingsError(problems);
  return out;
}
