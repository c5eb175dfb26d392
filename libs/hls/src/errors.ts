/** Text that is not a well-formed playlist (or exceeds the parse limits). */
export class PlaylistParseError extends Error {
  override readonly name = 'PlaylistParseError';

  /**
   * @param line 1-based line number of the offending line, when there is one.
   * @param tag the tag or attribute at fault (e.g. `#EXT-X-TARGETDURATION`, `BANDWIDTH`),
   *   so a validator can attribute the failure to a rule without reading the message.
   */
  constructor(
    readonly reason: string,
    readonly line?: number,
    readonly tag?: string,
  ) {
    super(line === undefined ? reason : `line ${line}: ${reason}`);
  }
}

/** A model the writer refuses to serialise because the result would break RFC 8216. */
export class PlaylistWriteError extends Error {
  override readonly name = 'PlaylistWriteError';
}

/** An operation on the sliding window that would break a playlist rule. */
export class PlaylistWindowError extends Error {
  override readonly name = 'PlaylistWindowError';
}
