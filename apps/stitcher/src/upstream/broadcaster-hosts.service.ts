import { Injectable, Logger } from '@nestjs/common';
import { InjectConfig, livepeerConfig, stitcherConfig, type ConfigOf } from '@lib/config';
import { LivepeerApiClient } from '@lib/livepeer';

/** How long GET /broadcaster's answer is trusted before it is asked again. */
const LIST_TTL_MS = 5000;
/** An unknown host triggers a fresh list at most this often (a hostile playlist cannot make us hammer the API). */
const MIN_REFRESH_INTERVAL_MS = 1000;

/** `host:port` of an http(s) URL, the port always written, lower-case. */
export function hostKey(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname.toLowerCase()}:${port}`;
}

function hostKeyOf(entry: string): string | undefined {
  try {
    return hostKey(new URL(/^https?:\/\//i.test(entry) ? entry : `http://${entry}`));
  } catch {
    return undefined;
  }
}

/**
 * Which hosts segments may be downloaded from: the broadcasters the Livepeer API lists, the
 * pinned broadcaster (LIVEPEER_BROADCASTER_URL) and STITCHER_ALLOWED_SEGMENT_HOSTS. An upstream
 * playlist is not trusted to send the relay anywhere else (no fetches of internal services).
 */
@Injectable()
export class BroadcasterHosts {
  private readonly logger = new Logger(BroadcasterHosts.name);
  private readonly fixed: Set<string>;
  private listed = new Set<string>();
  private listedAt = 0;
  private refreshing?: Promise<void>;

  constructor(
    private readonly livepeer: LivepeerApiClient,
    @InjectConfig(stitcherConfig) stitcher: ConfigOf<typeof stitcherConfig>,
    @InjectConfig(livepeerConfig) lp: ConfigOf<typeof livepeerConfig>,
  ) {
    const entries = [...stitcher.allowedSegmentHosts, ...(lp.broadcasterUrl ? [lp.broadcasterUrl] : [])];
    this.fixed = new Set(entries.map(hostKeyOf).filter((h): h is string => h !== undefined));
  }

  /** Whether `uri` may be fetched; refreshes the broadcaster list when it is stale or the host is new. */
  async allows(uri: string): Promise<boolean> {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      return false;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    const host = hostKey(url);
    if (this.fixed.has(host)) return true;
    const age = Date.now() - this.listedAt;
    if (age > LIST_TTL_MS || (!this.listed.has(host) && age > MIN_REFRESH_INTERVAL_MS)) await this.refresh();
    return this.listed.has(host);
  }

  private refresh(): Promise<void> {
    this.refreshing ??= this.livepeer
      .listBroadcasters()
      .then((list) => {
        this.listed = new Set(list.map((b) => hostKeyOf(b.address)).filter((h): h is string => h !== undefined));
      })
      .catch((err: Error) => this.logger.warn({ err: err.message }, 'broadcaster list unavailable; keeping the last one'))
      .finally(() => {
        this.listedAt = Date.now();
        this.refreshing = undefined;
      });
    return this.refreshing;
  }
}
