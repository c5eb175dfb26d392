import { Injectable } from '@nestjs/common';
import { InjectConfig, stitcherConfig, type ConfigOf } from '@lib/config';
import { parseMediaPlaylist, segmentSequenceNumber } from '@lib/hls';
import { BroadcasterHosts } from './broadcaster-hosts.service';
import { boundedGet, UpstreamFetchError } from './bounded-fetch';

/** One segment an upstream (amalgamated) playlist lists. */
export interface UpstreamSegment {
  /** The source sequence number (go-livepeer names segments `{seq}.ts`). */
  seq: number;
  /** Absolute URI on a broadcaster. */
  uri: string;
  durationSec: number;
}

const TS_PACKET = 188;

/** A few sync bytes at packet boundaries: enough to refuse an HTML error page or random bytes. */
export function looksLikeTransportStream(bytes: Buffer): boolean {
  if (bytes.length < TS_PACKET) return false;
  for (let offset = 0; offset < Math.min(bytes.length, TS_PACKET * 8); offset += TS_PACKET) {
    if (bytes[offset] !== 0x47) return false;
  }
  return true;
}

/**
 * Reads the Livepeer side: amalgamated rendition playlists and segments on broadcasters.
 * Everything that comes back is treated as untrusted input (size, time, syntax, hosts).
 */
@Injectable()
export class UpstreamClient {
  constructor(
    @InjectConfig(stitcherConfig) private readonly settings: ConfigOf<typeof stitcherConfig>,
    private readonly hosts: BroadcasterHosts,
  ) {}

  /**
   * The segments a rendition playlist lists, with absolute URIs. Entries whose name carries no
   * sequence number are left out; a body that is not a media playlist throws.
   */
  async renditionSegments(playlistUrl: string): Promise<UpstreamSegment[]> {
    const body = await boundedGet(playlistUrl, {
      timeoutMs: this.settings.fetchTimeoutMs,
      maxBytes: this.settings.maxPlaylistBytes,
    });
    const playlist = parseMediaPlaylist(body.toString('utf8'), { maxBytes: this.settings.maxPlaylistBytes });
    const segments: UpstreamSegment[] = [];
    for (const segment of playlist.segments) {
      let uri: string;
      try {
        uri = new URL(segment.uri, playlistUrl).toString();
      } catch {
        continue;
      }
      const seq = segmentSequenceNumber(uri);
      if (seq === undefined || !Number.isFinite(segment.duration)) continue;
      segments.push({ seq, uri, durationSec: segment.duration });
    }
    return segments;
  }

  /** Downloads a segment from an allowed broadcaster host; refuses anything that is not MPEG-TS. */
  async segment(uri: string): Promise<Buffer> {
    if (!(await this.hosts.allows(uri))) {
      // A broadcaster the API stopped listing (it died) is as unreachable as one that refuses.
      throw new UpstreamFetchError(`${safeHost(uri)} is not a broadcaster the Livepeer API listed (nor allow-listed)`, undefined, true);
    }
    const bytes = await boundedGet(uri, { timeoutMs: this.settings.fetchTimeoutMs, maxBytes: this.settings.maxSegmentBytes });
    if (!looksLikeTransportStream(bytes)) throw new UpstreamFetchError(`GET ${uri}: the body is not MPEG-TS`);
    return bytes;
  }
}

function safeHost(uri: string): string {
  try {
    return new URL(uri).host;
  } catch {
    return 'an unparseable URI';
  }
}
