import { Logger } from '@nestjs/common';
import { type ConfigOf, livepeerConfig } from '@lib/config';
import type { Ladder } from '@lib/database';
import { LivepeerApiClient, LivepeerConfigError, explicitLadder } from '@lib/livepeer';
import { InvalidLadderError } from './ladder';

export const LADDER_CHECK = 'streams:ladder-check';

/**
 * What the configured Livepeer API said of a ladder when it was set:
 * `accepted` (it created a stream with it), `unchecked` (it could not be asked: `warning` says
 * why; the publish asks again and fails its session on a 422), `skipped` (LADDER_CHECK=off).
 */
export interface LadderCheckResult {
  result: 'accepted' | 'unchecked' | 'skipped';
  warning?: string;
}

export interface LadderChecker {
  check(name: string, ladder: Ladder): Promise<LadderCheckResult>;
}

/**
 * Asks the Livepeer API itself, the only judge of what it accepts (an older API refuses what the
 * relay's rules allow, docs/livepeer-protocol.md §3.3): `POST /stream` with the exact ladder a
 * publish will send (`explicitLadder`), then `DELETE` of that stream. A 422 throws
 * InvalidLadderError with the API's reasons; an API that cannot be reached is a warning
 * (LADDER_CHECK=warn, the default: creating a stream must not depend on Livepeer being up) or a
 * refusal (strict).
 */
export class LivepeerLadderCheck implements LadderChecker {
  private readonly logger = new Logger('LadderCheck');
  private readonly client: LivepeerApiClient;

  constructor(private readonly settings: Pick<ConfigOf<typeof livepeerConfig>, 'apiUrl' | 'apiKey' | 'ladderCheck'>) {
    this.client = new LivepeerApiClient({
      apiUrl: settings.apiUrl,
      apiKey: settings.apiKey,
      timeoutMs: 5000,
      userAgent: 'livepeer-relay-ladder-check',
    });
  }

  async check(name: string, ladder: Ladder): Promise<LadderCheckResult> {
    if (this.settings.ladderCheck === 'off') return { result: 'skipped' };
    let id: string;
    try {
      id = (await this.client.createStream({ name: `${name} (ladder check)`, profiles: explicitLadder(ladder) })).id;
    } catch (err) {
      if (err instanceof LivepeerConfigError) throw new InvalidLadderError(err.errors, this.settings.apiUrl);
      const warning = `the Livepeer API at ${this.settings.apiUrl} could not check the ladder (${(err as Error).message})`;
      if (this.settings.ladderCheck === 'strict') throw new LadderUncheckedError(warning);
      return { result: 'unchecked', warning: `${warning}; accepted unchecked: a publish fails if the API refuses it` };
    }
    // The probe stream is never published; an API that keeps no record answers 404, also fine.
    await this.client
      .deleteStream(id)
      .catch((err: Error) => this.logger.warn({ livepeerStreamId: id, err: err.message }, 'ladder-check stream not deleted'));
    return { result: 'accepted' };
  }
}

/** LADDER_CHECK=strict and the API could not be asked. */
export class LadderUncheckedError extends Error {
  constructor(message: string) {
    super(`${message}; refused (LADDER_CHECK=strict)`);
    this.name = 'LadderUncheckedError';
  }
}
