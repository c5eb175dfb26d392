import { buildMultipart, multipartBoundary, parseMultipart, MultipartError } from './multipart';
import { readRenditions } from './push';

describe('multipart/mixed', () => {
  const parts = [
    { headers: { 'Content-Type': 'video/mp2t; name="a_1.ts"', 'Rendition-Name': 'a' }, body: Buffer.from('AAAA\r\n--not-it') },
    { headers: { 'Content-Type': 'video/mp2t', 'Rendition-Name': 'b' }, body: Buffer.alloc(0) },
  ];

  it('round-trips parts, including bodies that contain CRLF and dashes', () => {
    const parsed = parseMultipart(buildMultipart(parts, 'xyz'), 'xyz');
    expect(parsed.map((p) => p.headers['rendition-name'])).toEqual(['a', 'b']);
    expect(parsed[0].body.toString()).toBe('AAAA\r\n--not-it');
    expect(parsed[1].body.length).toBe(0);
  });

  it('reads a body with a preamble and transport padding', () => {
    const body = Buffer.from('preamble\r\n--b  \r\nRendition-Name: x\r\n\r\nX\r\n--b--\r\nepilogue');
    expect(parseMultipart(body, 'b').map((p) => [p.headers['rendition-name'], p.body.toString()])).toEqual([['x', 'X']]);
  });

  it('rejects a body cut short', () => {
    const full = buildMultipart(parts, 'xyz');
    expect(() => parseMultipart(full.subarray(0, full.length - 12), 'xyz')).toThrow(MultipartError);
    expect(() => parseMultipart(Buffer.from('nothing'), 'xyz')).toThrow(/no multipart boundary/);
  });

  it('finds the boundary parameter', () => {
    expect(multipartBoundary('multipart/mixed; boundary=abc')).toBe('abc');
    expect(multipartBoundary('multipart/mixed; boundary="a b"')).toBe('a b');
    expect(multipartBoundary('text/plain')).toBeUndefined();
  });

  it('names renditions by Rendition-Name, by position without it, and reads URI parts', () => {
    const body = buildMultipart(
      [
        { headers: { 'Content-Type': 'video/mp2t' }, body: Buffer.from('x') },
        { headers: { 'Content-Type': 'application/vnd+livepeer.uri', 'Rendition-Name': 'r', 'Content-Disposition': 'attachment; filename="r_3.txt"' }, body: Buffer.from('https://s3/x.ts') },
      ],
      'q',
    );
    const renditions = readRenditions(body, 'q');
    expect(renditions.map((r) => r.name)).toEqual(['0', 'r']);
    expect(renditions[1]).toMatchObject({ uri: 'https://s3/x.ts', filename: 'r_3.txt' });
  });
});
