import { InvalidLadderError, describeLadder, ladderFromOptions, normalizeLadder } from './ladder';

const profile = { name: '240p', width: 426, height: 240, bitrate: 400_000, fps: 30 };

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidLadderError);
    return (err as InvalidLadderError).problems;
  }
  throw new Error('expected an InvalidLadderError');
}

describe('normalizeLadder', () => {
  it('keeps valid presets and profiles, dropping empty lists', () => {
    expect(normalizeLadder({ presets: ['P360p30fps16x9'], profiles: [] })).toEqual({ presets: ['P360p30fps16x9'] });
    expect(normalizeLadder({ profiles: [profile] })).toEqual({ profiles: [profile] });
    expect(normalizeLadder(undefined)).toEqual({});
  });

  it('reports every problem with the Livepeer API rules', () => {
    const problems = problemsOf(() =>
      normalizeLadder({
        presets: ['P999p30fps16x9'],
        profiles: [
          { ...profile, width: 100 },
          { ...profile, bitrate: 10 },
          { ...profile, name: 'source' },
        ],
      }),
    );
    expect(problems.some((p) => p.startsWith('presets[0] must be one of'))).toBe(true);
    expect(problems).toContain('profiles[0].width must be >= 128');
    expect(problems).toContain('profiles[1].bitrate must be >= 400');
    expect(problems.some((p) => p.includes('"240p" is not unique'))).toBe(true);
    expect(problems).toContain('profiles[2].name must not be "source"');
  });

  it('refuses unknown fields and non-objects', () => {
    expect(problemsOf(() => normalizeLadder({ renditions: {} }))).toEqual([
      'renditions is not allowed (a ladder has profiles and/or presets)',
    ]);
    expect(problemsOf(() => normalizeLadder(['P360p30fps16x9']))).toHaveLength(1);
  });
});

describe('ladderFromOptions', () => {
  it('reads comma lists and repeated preset options', () => {
    expect(ladderFromOptions({ presets: 'P360p30fps16x9, P240p30fps16x9' })).toEqual({
      presets: ['P360p30fps16x9', 'P240p30fps16x9'],
    });
    expect(ladderFromOptions({ presets: ['P360p30fps16x9', 'P144p30fps16x9'] }).presets).toHaveLength(2);
  });

  it('reads profiles as a JSON array or a single object', () => {
    expect(ladderFromOptions({ profiles: JSON.stringify([profile]) })).toEqual({ profiles: [profile] });
    expect(ladderFromOptions({ profiles: JSON.stringify(profile) })).toEqual({ profiles: [profile] });
  });

  it('explains bad JSON and bad presets', () => {
    expect(problemsOf(() => ladderFromOptions({ profiles: '[{' }))[0]).toMatch(/^profiles is not valid JSON/);
    expect(problemsOf(() => ladderFromOptions({ presets: 'P360p' }))[0]).toMatch(/^presets\[0\] must be one of P720p60fps16x9/);
  });
});

describe('describeLadder', () => {
  it('prints one line per rendition', () => {
    expect(describeLadder({ profiles: [profile], presets: ['P144p30fps16x9'] })).toEqual([
      '240p 426x240 400 kbps 30 fps',
      'P144p30fps16x9',
    ]);
    expect(describeLadder({})).toEqual(['(relay default ladder: P360p30fps16x9, P240p30fps16x9)']);
  });
});
