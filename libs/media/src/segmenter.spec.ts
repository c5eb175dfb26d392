import { parseSegmentListLine, segmenterArgs } from './segmenter';

describe('parseSegmentListLine', () => {
  it('reads name, start and end of a CSV segment list line', () => {
    expect(parseSegmentListLine('0.ts,0.000000,2.023000')).toEqual({ name: '0.ts', start: 0, end: 2.023 });
    expect(parseSegmentListLine('12.ts,24.023000,26.023000\r')).toEqual({ name: '12.ts', start: 24.023, end: 26.023 });
  });

  it('unquotes names with commas or quotes', () => {
    expect(parseSegmentListLine('"a,b.ts",1.5,3.5')).toEqual({ name: 'a,b.ts', start: 1.5, end: 3.5 });
    expect(parseSegmentListLine('"say ""hi"".ts",0,1')).toEqual({ name: 'say "hi".ts', start: 0, end: 1 });
  });

  it('ignores lines that are not entries', () => {
    for (const line of ['', 'garbage', '0.ts,abc,2', ',0,1']) expect(parseSegmentListLine(line)).toBeNull();
  });

  it('keeps an entry that ends before it starts (input timestamps went back): the segment exists and must be recorded', () => {
    expect(parseSegmentListLine('0.ts,3,2')).toEqual({ name: '0.ts', start: 3, end: 2 });
  });
});

describe('segmenterArgs', () => {
  it('copies codecs and cuts MPEG-TS at the target duration into the output directory', () => {
    const args = segmenterArgs({ outputDir: '/spool/s1', targetSeconds: 2, inputFormat: 'flv' });
    const joined = args.join(' ');
    expect(joined).toContain('-f flv -i pipe:0');
    expect(joined).toContain('-c copy');
    expect(joined).toContain('-segment_time 2');
    expect(joined).toContain('-segment_format mpegts');
    expect(joined).toContain('-segment_list pipe:3 -segment_list_type csv');
    expect(args[args.length - 1]).toBe('/spool/s1/%d.ts');
    expect(args).toContain('-nostdin');
  });
});
