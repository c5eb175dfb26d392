import { PRESETS, aspectOf, customProfileName, isPresetName, ladderProfiles, presetName, presetToProfile } from './presets';

describe('preset naming rule', () => {
  it('names every preset P{height}p{fps}fps{aspect} after its own resolution', () => {
    for (const p of PRESETS) {
      expect(p.name).toBe(presetName(p.height, p.fps, aspectOf(p.width, p.height)));
    }
  });

  it('knows the lpms lookup table and nothing else', () => {
    expect(PRESETS).toHaveLength(13);
    expect(isPresetName('P144p30fps16x9')).toBe(true);
    expect(isPresetName('P144p25fps16x9')).toBe(false); // defined in lpms but not in its lookup map
    expect(presetToProfile('P240p30fps4x3')).toEqual({ name: 'P240p30fps4x3', width: 320, height: 240, bitrate: 600_000, fps: 30 });
    expect(() => presetToProfile('P999p')).toThrow(/unknown preset/);
  });

  it('tags 16:9 and 4:3 by the closest ratio', () => {
    expect(aspectOf(1280, 720)).toBe('16x9');
    expect(aspectOf(426, 240)).toBe('16x9');
    expect(aspectOf(480, 360)).toBe('4x3');
    expect(aspectOf(320, 240)).toBe('4x3');
  });

  it('names unnamed custom profiles like go-livepeer and puts presets after profiles', () => {
    expect(customProfileName(640, 360, 800000)).toBe('custom_640x360_800000');
    const ladder = ladderProfiles({
      profiles: [{ name: '', width: 640, height: 360, bitrate: 800000, fps: 0 }],
      presets: ['P144p30fps16x9'],
    });
    expect(ladder.map((p) => p.name)).toEqual(['custom_640x360_800000', 'P144p30fps16x9']);
  });
});
