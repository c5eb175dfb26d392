import { parseSegmentTranscoded, type SegmentTranscodedEvent } from '@lib/queue';

/** Unusable announcements are logged at most this often. */
const BAD_MESSAGE_LOG_INTERVAL_MS = 10_000;

/**
 * Turns messages of the segment-transcoded channel into events for `route`; a message that is
 * not one is counted and logged (rate-limited: a bad publisher must not flood the log), then
 * ignored. Pub/sub is only the fast path: the ledger rows carry the same facts.
 */
export function segmentTranscodedHandler(
  route: (event: SegmentTranscodedEvent) => void,
  logBad: (fields: { ignored: number; sample: string }) => void,
): (message: string) => void {
  let lastLogAt = 0;
  let ignored = 0;
  return (message) => {
    const event = parseSegmentTranscoded(message);
    if (event) return route(event);
    ignored += 1;
    const now = Date.now();
    if (now - lastLogAt < BAD_MESSAGE_LOG_INTERVAL_MS) return;
    lastLogAt = now;
    logBad({ ignored, sample: message.slice(0, 200) });
    ignored = 0;
  };
}
