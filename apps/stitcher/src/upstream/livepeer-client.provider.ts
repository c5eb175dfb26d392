import type { Provider } from '@nestjs/common';
import { livepeerConfig, type ConfigOf } from '@lib/config';
import { LivepeerApiClient } from '@lib/livepeer';

/** The Livepeer API client (broadcaster list, stream deletion), configured from LIVEPEER_*. */
export const livepeerClientProvider: Provider = {
  provide: LivepeerApiClient,
  inject: [livepeerConfig.token],
  useFactory: (livepeer: ConfigOf<typeof livepeerConfig>) =>
    new LivepeerApiClient({
      apiUrl: livepeer.apiUrl,
      apiKey: livepeer.apiKey,
      region: livepeer.region,
      timeoutMs: 5000,
      userAgent: 'livepeer-relay-stitcher',
    }),
};
