import { defaultProfiles } from './ladder';
import { validateCreateStreamRequest, validateLadder, validateProfile } from './validation';

const good = { name: '240p', width: 426, height: 240, bitrate: 250_000, fps: 30 };

describe('validateProfile', () => {
  it('accepts a complete profile and every optional field', () => {
    expect(validateProfile(good)).toEqual([]);
    expect(validateProfile({ ...good, fps: 0, fpsDen: 1001, gop: '2.0', profile: 'H264Baseline', quality: 23, encoder: 'H.264' })).toEqual(
      [],
    );
    expect(validateProfile({ ...good, gop: 'intra' })).toEqual([]);
  });

  it('names each bad field with its path', () => {
    expect(validateProfile({ ...good, height: 100 }, 'profiles[1]')).toEqual(['profiles[1].height must be >= 128']);
    expect(validateProfile({ ...good, width: 127.5 }, 'p')).toEqual(['p.width must be an integer']);
    expect(validateProfile({ ...good, bitrate: 399 }, 'p')).toEqual(['p.bitrate must be >= 400']);
    expect(validateProfile({ ...good, fps: -1 }, 'p')).toEqual(['p.fps must be >= 0']);
    expect(validateProfile({ ...good, fps: 29.97 }, 'p')).toEqual(['p.fps must be an integer']);
    expect(validateProfile({ ...good, fpsDen: 0 }, 'p')).toEqual(['p.fpsDen must be >= 1']);
    expect(validateProfile({ ...good, gop: 2 }, 'p')).toEqual(['p.gop must be a string']);
    expect(validateProfile({ ...good, gop: 'often' }, 'p')).toEqual(['p.gop must be "intra" or a number of seconds like "2.0"']);
    expect(validateProfile({ ...good, profile: 'H265' }, 'p')[0]).toMatch(/^p.profile must be one of H264Baseline/);
    expect(validateProfile({ ...good, quality: 45 }, 'p')).toEqual(['p.quality must be <= 44']);
    expect(validateProfile({ ...good, name: '' }, 'p')).toEqual(['p.name must be 1..500 characters']);
    expect(validateProfile({ ...good, name: 'a/b' }, 'p')[0]).toMatch(/^p.name may only contain/);
    expect(validateProfile({ ...good, name: 'source' }, 'p')).toEqual(['p.name must not be "source"']);
    expect(validateProfile({ ...good, colour: 'red' }, 'p')).toEqual(['p.colour is not allowed']);
  });

  it('lists every missing required field', () => {
    expect(validateProfile({}, 'p')).toEqual([
      'p.width is required',
      'p.name is required',
      'p.height is required',
      'p.bitrate is required',
      'p.fps is required',
    ]);
    expect(validateProfile('x', 'p')).toEqual(['p must be an object']);
  });
});

describe('validateLadder', () => {
  it('accepts no ladder, the default ladder and presets', () => {
    expect(validateLadder({})).toEqual([]);
    expect(validateLadder({ profiles: defaultProfiles() })).toEqual([]);
    expect(validateLadder({ presets: ['P144p30fps16x9', 'P240p30fps4x3'] })).toEqual([]);
  });

  it('requires unique names across profiles and presets', () => {
    expect(validateLadder({ profiles: [good, { ...good }] })).toEqual(['profiles[1].name "240p" is not unique (also profiles[0].name)']);
    expect(validateLadder({ profiles: [{ ...good, name: 'P144p30fps16x9' }], presets: ['P144p30fps16x9'] })).toEqual([
      'presets[0] "P144p30fps16x9" is not unique (also profiles[0].name)',
    ]);
  });

  it('rejects unknown presets and wrong types', () => {
    expect(validateLadder({ presets: ['P1080p'] })[0]).toMatch(/^presets\[0\] must be one of P720p60fps16x9/);
    expect(validateLadder({ profiles: {} })).toEqual(['profiles must be an array']);
    expect(validateLadder({ presets: 'P144p30fps16x9' })).toEqual(['presets must be an array']);
  });
});

describe('validateCreateStreamRequest', () => {
  it('requires a name and a JSON object', () => {
    expect(validateCreateStreamRequest({ name: 'x' })).toEqual([]);
    expect(validateCreateStreamRequest({})).toEqual(['name is required']);
    expect(validateCreateStreamRequest([])).toEqual(['body must be a JSON object']);
    expect(validateCreateStreamRequest({ name: 3 })).toEqual(['name must be a non-empty string']);
  });

  it('checks renditions and the wowza block', () => {
    expect(validateCreateStreamRequest({ name: 'x', renditions: { a: 1 } })).toEqual(['renditions.a must be a string']);
    expect(validateCreateStreamRequest({ name: 'x', wowza: {} })).toEqual([
      'wowza.transcoderAppConfig is required and must be an object',
      'wowza.transcoderTemplateAppConfig is required and must be an object',
      'wowza.sourceInfo is required and must be an object',
      'wowza.streamNameGroups is required and must be an array',
    ]);
  });
});
