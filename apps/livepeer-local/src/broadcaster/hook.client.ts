import { Injectable, Logger } from '@nestjs/common';
import { ConfigOf, InjectConfig, livepeerLocalConfig } from '@lib/config';
import { BROADCASTER_DEFAULT_PRESETS, LivepeerProfile, describeFetchError, ladderProfiles, safeText, validateLadder } from '@lib/livepeer';
import { BroadcasterHttpError } from './broadcaster-http-error';

export interface StreamAuthorization {
  manifestId: string;
  profiles: LivepeerProfile[];
}

/** Go decodes JSON field names case-insensitively: `manifestID` and `manifestId` both match. */
function field(body: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(body).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : body[key];
}

/**
 * The broadcaster side of the auth webhook (go-livepeer `-authWebhookUrl`, docs/livepeer-protocol.md §2.2, §3.4):
 * on the first push of an unknown manifest, POST `{url}`; a non-200 answer refuses the stream
 * (403 "Could not create stream ID"); the answer may rename the manifest and sets the ladder.
 * Without a webhook, or when it names no ladder, the default transcoding options apply.
 */
@Injectable()
export class HookClient {
  private readonly logger = new Logger('AuthWebhook');

  constructor(@InjectConfig(livepeerLocalConfig) private readonly config: ConfigOf<typeof livepeerLocalConfig>) {}

  get url(): string | undefined {
    return this.config.hookUrl;
  }

  async authorize(externalId: string, pushUrl: string): Promise<StreamAuthorization> {
    const defaults = () => ladderProfiles({ presets: [...BROADCASTER_DEFAULT_PRESETS] });
    if (!this.config.hookUrl) return { manifestId: externalId, profiles: defaults() };

    let response: Response;
    try {
      response = await fetch(this.config.hookUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ url: pushUrl }),
        signal: AbortSignal.timeout(5000),
      });
    } catch (err) {
      throw this.denied(externalId, `webhook unreachable: ${describeFetchError(err)}`);
    }
    const text = await safeText(response);
    if (response.status !== 200) throw this.denied(externalId, `webhook answered ${response.status}`);

    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text || '{}') as Record<string, unknown>;
    } catch {
      throw this.denied(externalId, 'webhook answer is not JSON');
    }
    const manifestIdField = field(body, 'manifestID');
    if (manifestIdField !== undefined && typeof manifestIdField !== 'string') {
      throw this.denied(externalId, 'webhook manifestID is not a string');
    }
    const manifestId = manifestIdField === undefined ? externalId : manifestIdField;
    if (!manifestId) throw this.denied(externalId, 'webhook returned an empty manifestID');
    const ladder = { profiles: field(body, 'profiles') ?? undefined, presets: field(body, 'presets') ?? undefined };
    const problems = validateLadder(ladder);
    if (problems.length) throw this.denied(externalId, `webhook ladder is invalid: ${problems.join('; ')}`);
    const profiles = ladderProfiles(ladder as { profiles?: LivepeerProfile[]; presets?: string[] });
    return { manifestId, profiles: profiles.length ? profiles : defaults() };
  }

  private denied(externalId: string, reason: string): BroadcasterHttpError {
    this.logger.warn({ event: 'stream-denied', manifestId: externalId, reason }, `stream ${externalId} refused: ${reason}`);
    return new BroadcasterHttpError(403, 'Could not create stream ID');
  }
}
