/**
 * The broadcaster's multipart/mixed answer to a push (one part per rendition). The reader the
 * worker uses is `parseMultipart` in @lib/livepeer; the spec checks that the two agree.
 */

export interface MultipartBodyPart {
  headers: Record<string, string>;
  body: Buffer;
}

/** Serialises parts the way Go's mime/multipart writer does. */
export function buildMultipart(parts: MultipartBodyPart[], boundary: string): Buffer {
  const chunks: Buffer[] = [];
  parts.forEach((part, i) => {
    const head =
      `${i === 0 ? '' : '\r\n'}--${boundary}\r\n` +
      Object.entries(part.headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('') +
      '\r\n';
    chunks.push(Buffer.from(head, 'latin1'), part.body);
  });
  chunks.push(Buffer.from(`${parts.length ? '\r\n' : ''}--${boundary}--\r\n`, 'latin1'));
  return Buffer.concat(chunks);
}
