import { multipartBoundary, parseMultipart, MultipartError } from './multipart';
import { readRenditions } from './push';

/** Two renditions as Go's mime/multipart writer (and livepeer-local) serialise them. */
const TWO_PARTS = Buffer.from(
  '--xyz\r\nContent-Type: video/mp2t; name="a_1.ts"\r\nRendition-Name: a\r\n\r\nAAAA\r\n--not-it' +
    '\r\n--xyz\r\nContent-Type: video/mp2t\r\nRendition-Name: b\r\n\r\n' +
    '\r\n--xyz--\r\n',
  'latin1',
);

describe('multipart/mixed', () => {
  it('reads parts, including bodies that contain CRLF and dashes', () => {
    const parsed = parseMultipart(TWO_PARTS, 'xyz');
    expect(parsed.map((p) => p.headers['rendition-name'])).toEqual(['a', 'b']);
    expect(parsed[0].body.toString()).toBe('AAAA\r\n--not-it');
    expect(parsed[1].body.length).toBe(0);
  });

  it('reads a body with a preamble and transport padding', () => {
    const body = Buffer.from('preamble\r\n--b  \r\nRendition-Name: x\r\n\r\nX\r\n--b--\r\nepilogue');
    expect(parseMultipart(body, 'b').map((p) => [p.headers['rendition-name'], p.body.toString()])).toEqual([['x', 'X']]);
  });

  it('rejects a body cut short', () => {
    expect(() => parseMultipart(TWO_PARTS.subarray(0, TWO_PARTS.length - 12), 'xyz')).toThrow(MultipartError);
    expect(() => parseMultipart(Buffer.from('nothing'), 'xyz')).toThrow(/no multipart boundary/);
  });

  it('finds the boundary parameter', () => {
    expect(multipartBoundary('multipart/mixed; boundary=abc')).toBe('abc');
    expect(multipartBoundary('multipart/mixed; boundary="a b"')).toBe('a b');
    expect(multipartBoundary('text/plain')).toBeUndefined();
  });

  it('names renditions by Rendition-Name, by position without it, and reads URI parts', () => {
    const body = Buffer.from(
      '--q\r\nContent-Type: video/mp2t\r\n\r\nx' +
        '\r\n--q\r\nContent-Type: application/vnd+livepeer.uri\r\nRendition-Name: r\r\n' +
        'Content-Disposition: attachment; filename="r_3.txt"\r\n\r\nhttps://s3/x.ts' +
        '\r\n--q--\r\n',
      'latin1',
    );
    const renditions = readRenditions(body, 'q');
    expect(renditions.map((r) => r.name)).toEqual(['0', 'r']);
    expect(renditions[1]).toMatchObject({ uri: 'https://s3/x.ts', filename: 'r_3.txt', named: true, position: 1 });
    expect(renditions[0]).toMatchObject({ named: false, position: 0 });
  });
});
