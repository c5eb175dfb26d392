import { parseMultipart } from '@lib/livepeer';
import { buildMultipart } from './multipart-writer';

describe('buildMultipart', () => {
  const parts = [
    { headers: { 'Content-Type': 'video/mp2t; name="a_1.ts"', 'Rendition-Name': 'a' }, body: Buffer.from('AAAA\r\n--not-it') },
    { headers: { 'Content-Type': 'video/mp2t', 'Rendition-Name': 'b' }, body: Buffer.alloc(0) },
  ];

  it('writes what Go mime/multipart writes', () => {
    expect(buildMultipart(parts, 'xyz').toString('latin1')).toBe(
      '--xyz\r\nContent-Type: video/mp2t; name="a_1.ts"\r\nRendition-Name: a\r\n\r\nAAAA\r\n--not-it' +
        '\r\n--xyz\r\nContent-Type: video/mp2t\r\nRendition-Name: b\r\n\r\n' +
        '\r\n--xyz--\r\n',
    );
  });

  it('round-trips through the reader the worker uses, including bodies that contain CRLF and dashes', () => {
    const parsed = parseMultipart(buildMultipart(parts, 'xyz'), 'xyz');
    expect(parsed.map((p) => p.headers['rendition-name'])).toEqual(['a', 'b']);
    expect(parsed[0].body.toString()).toBe('AAAA\r\n--not-it');
    expect(parsed[1].body.length).toBe(0);
  });

  it('writes only the closing delimiter when there is no part', () => {
    expect(parseMultipart(buildMultipart([], 'e'), 'e')).toEqual([]);
  });
});
