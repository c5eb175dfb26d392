import { ConfigError } from '../define-config';
import { commonConfig } from './common';
import { mediaConfig } from './media';

describe('log format settings', () => {
  it('LOG_FORMAT defaults to auto; LOG_PRETTY decides only under auto', () => {
    expect(commonConfig.load({}).logFormat).toBe('auto');
    expect(commonConfig.load({ LOG_PRETTY: 'true' }).logFormat).toBe('pretty');
    expect(commonConfig.load({ LOG_PRETTY: 'false' }).logFormat).toBe('json');
    expect(commonConfig.load({ LOG_FORMAT: 'json', LOG_PRETTY: 'true' }).logFormat).toBe('json');
    expect(commonConfig.load({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
  });

  it('refuses an unknown format, naming the variable', () => {
    expect(() => commonConfig.load({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT="xml"/);
    expect(() => commonConfig.load({ LOG_PRETTY: 'maybe' })).toThrow(ConfigError);
  });
});

describe('media tool settings', () => {
  it('default to the commands on PATH and accept an existing binary', () => {
    expect(mediaConfig.load({})).toEqual({ ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe' });
    expect(mediaConfig.load({ FFMPEG_PATH: process.execPath }).ffmpegPath).toBe(process.execPath);
  });

  it('refuse a path that does not exist, naming the variable', () => {
    expect(() => mediaConfig.load({ FFPROBE_PATH: '/nowhere/ffprobe' })).toThrow(/FFPROBE_PATH="\/nowhere\/ffprobe": no such file/);
  });
});
