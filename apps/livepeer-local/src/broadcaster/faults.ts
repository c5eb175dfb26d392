/**
 * Fault injection state of one broadcaster. Counts ("next N pushes") go down as pushes use them;
 * -1 means "every push until cleared".
 */
export interface Faults {
  /** the next N pushes answer `failStatus` */
  failNext: number;
  failStatus: number;
  /** body of the injected failure (text/plain) */
  failBody: string;
  /** added before every push is processed (ms) */
  delayMs: number;
  /** the next N pushes are read and then never answered */
  hangNext: number;
  /** the next N pushes have their connection reset without an answer */
  resetNext: number;
  /** GET /status answers 503, so the API drops this broadcaster from /api/broadcaster */
  unhealthy: boolean;
  /**
   * Answers a successful push with an empty 200 even when the renditions were asked for
   * (`Accept: multipart/mixed`), as a broadcaster that does not return them does: the relay
   * then takes them from the playlists.
   */
  noParts: boolean;
}

export type FaultAction = { kind: 'reset' } | { kind: 'hang' } | { kind: 'fail'; status: number; body: string } | { kind: 'none' };

export const NO_FAULTS: Readonly<Faults> = Object.freeze({
  failNext: 0,
  failStatus: 500,
  failBody: 'injected fault',
  delayMs: 0,
  hangNext: 0,
  resetNext: 0,
  unhealthy: false,
  noParts: false,
});

export class FaultSpecError extends Error {}

type CountKey = 'failNext' | 'hangNext' | 'resetNext';

function toFlag(key: string, value: unknown): boolean {
  if (value === true || value === 'true' || value === '1') return true;
  if (value === false || value === 'false' || value === '0') return false;
  throw new FaultSpecError(`${key} must be true or false`);
}

function toCount(key: string, value: unknown): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < -1) throw new FaultSpecError(`${key} must be an integer >= -1`);
  return n;
}

/**
 * Applies a partial update (the admin endpoint's JSON body, or a parsed start option) to the
 * current faults; unknown keys and bad values are errors, so a typo never silently does nothing.
 */
export function updateFaults(current: Faults, update: Record<string, unknown>): Faults {
  const next: Faults = { ...current };
  for (const [key, value] of Object.entries(update)) {
    switch (key) {
      case 'failNext':
      case 'hangNext':
      case 'resetNext':
        next[key] = toCount(key, value);
        break;
      case 'failStatus': {
        const status = Number(value);
        if (!Number.isInteger(status) || status < 400 || status > 599) throw new FaultSpecError('failStatus must be 400..599');
        next.failStatus = status;
        break;
      }
      case 'failBody':
        next.failBody = String(value);
        break;
      case 'delayMs': {
        const ms = Number(value);
        if (!Number.isFinite(ms) || ms < 0) throw new FaultSpecError('delayMs must be a number >= 0');
        next.delayMs = ms;
        break;
      }
      case 'unhealthy':
      case 'noParts':
        next[key] = toFlag(key, value);
        break;
      default:
        throw new FaultSpecError(`unknown fault "${key}" (known: ${Object.keys(NO_FAULTS).join(', ')})`);
    }
  }
  return next;
}

/** `failNext=3,failStatus=503,delayMs=200` -> an update object (the start-option syntax). */
export function parseFaultSpec(spec: string): Record<string, string> {
  const update: Record<string, string> = {};
  for (const item of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new FaultSpecError(`fault "${item}" is not key=value`);
    update[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
  }
  return update;
}

/**
 * Decides what happens to the push that just arrived and consumes one use of that fault.
 * Order: reset, hang, fail (a connection reset wins over everything, as it would on the wire).
 */
export function takeFault(faults: Faults): { action: FaultAction; faults: Faults } {
  const use = (key: CountKey): Faults => (faults[key] === -1 ? faults : { ...faults, [key]: faults[key] - 1 });
  if (faults.resetNext !== 0) return { action: { kind: 'reset' }, faults: use('resetNext') };
  if (faults.hangNext !== 0) return { action: { kind: 'hang' }, faults: use('hangNext') };
  if (faults.failNext !== 0) {
    return { action: { kind: 'fail', status: faults.failStatus, body: faults.failBody }, faults: use('failNext') };
  }
  return { action: { kind: 'none' }, faults };
}
