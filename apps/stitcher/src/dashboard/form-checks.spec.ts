import { ladderFromForm, streamNameErrors } from './form-checks';

describe('streamNameErrors', () => {
  it('refuses what the API refuses, in its words', () => {
    expect(streamNameErrors('   ')).toEqual({ name: ['must not be empty'] });
    expect(streamNameErrors('x'.repeat(201))).toEqual({ name: ['must be at most 200 characters'] });
    expect(streamNameErrors(` ${'x'.repeat(200)} `)).toEqual({});
  });
});

describe('ladderFromForm', () => {
  it('combines the checked presets and the custom profiles', () => {
    expect(ladderFromForm(['P144p30fps16x9'], '[{"name":"a","width":256,"height":144,"bitrate":1,"fps":0}]')).toEqual({
      ladder: { presets: ['P144p30fps16x9'], profiles: [{ name: 'a', width: 256, height: 144, bitrate: 1, fps: 0 }] },
      errors: {},
    });
    expect(ladderFromForm([], '')).toEqual({ ladder: {}, errors: {} });
  });

  it('names the profiles field when its text is not a JSON array', () => {
    expect(ladderFromForm([], '{"name":').errors['ladder.profiles'][0]).toMatch(/^not JSON/);
    expect(ladderFromForm([], '{}').errors).toEqual({ 'ladder.profiles': ['expected array, received object'] });
  });
});
