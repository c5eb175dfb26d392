import type { Backoff } from '@lib/timing';

/**
 * How ingest backs off after a failure outside its control (object store, Redis, Livepeer
 * API); the delays come from @lib/timing's backoffDelay.
 */

/** Object store and queue: short outages are the expected case, so retry quickly. */
export const INFRA_RETRY: Backoff = { initialMs: 200, maxMs: 2000 };

/** Livepeer API: a remote service; back off further, but keep trying while the publish lasts. */
export const LIVEPEER_RETRY: Backoff = { initialMs: 500, maxMs: 10_000 };
