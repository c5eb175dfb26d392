import { describe, expect, it } from 'vitest';
import { InvalidStreamSettingsError, checkStreamSettings } from './stream-settings';

describe('checkStreamSettings', () => {
  it('takes the fields it knows, with null for a default', () => {
    expect(checkStreamSettings({ record: true, dvrWindowSeconds: 7200, recordingRetentionDays: null })).toEqual({
      record: true,
      dvrWindowSeconds: 7200,
      recordingRetentionDays: null,
    });
    expect(checkStreamSettings(undefined)).toEqual({});
    expect(checkStreamSettings({ recordingRetentionDays: 0 })).toEqual({ recordingRetentionDays: 0 });
  });

  it('refuses bad values with every problem', () => {
    try {
      checkStreamSettings({ record: 'yes', dvrWindowSeconds: 5, recordingRetentionDays: 1.5 });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidStreamSettingsError);
      expect((err as InvalidStreamSettingsError).problems.map((p) => p.field)).toEqual([
        'record',
        'dvrWindowSeconds',
        'recordingRetentionDays',
      ]);
    }
    expect(() => checkStreamSettings([])).toThrow(InvalidStreamSettingsError);
  });
});
