/**
 * Number and attribute formatting shared by the writers, the window and the validator,
 * so that all of them reason about the value a player actually reads.
 */

/** `#EXTINF` durations are written with three decimals (millisecond precision). */
export function formatDuration(seconds: number): string {
  return seconds.toFixed(3);
}

/** The duration as written, in whole milliseconds (sums of these are exact). */
export function writtenMilliseconds(seconds: number): number {
  return Math.round(Number(formatDuration(seconds)) * 1000);
}

/**
 * RFC 8216 §4.3.3.1: the `#EXTINF` duration "rounded to the nearest integer" must not exceed the
 * target duration. Rounded from the written value, half up (the stricter reading).
 */
export function roundedDuration(seconds: number): number {
  return Math.round(writtenMilliseconds(seconds) / 1000);
}

/**
 * `#EXT-X-PROGRAM-DATE-TIME` value (RFC 8216 §4.3.2.6): ISO 8601 in UTC with milliseconds,
 * e.g. `2026-12-01T10:00:02.345Z`, from epoch milliseconds.
 */
export function formatProgramDateTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** Why `epochMs` cannot be written as a program date-time, or undefined when it can. */
export function programDateTimeProblem(epochMs: number): string | undefined {
  return Number.isSafeInteger(epochMs) && epochMs > 0 && epochMs < 253402300800000
    ? undefined
    : `program date-time must be whole epoch milliseconds between 1970 and 9999, got ${epochMs}`;
}

export function formatResolution(resolution: { width: number; height: number }): string {
  return `${resolution.width}x${resolution.height}`;
}

/** `NAME=value,NAME=value`, skipping attributes whose value is undefined. */
export function formatAttributeList(attributes: ReadonlyArray<readonly [string, string | number | undefined]>): string {
  return attributes
    .filter((entry): entry is readonly [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${value}`)
    .join(',');
}

export function quoted(value: string): string {
  return `"${value}"`;
}

/** Why a URI cannot be written on a playlist line, or undefined when it can. */
export function uriProblem(uri: string): string | undefined {
  if (uri.trim() === '') return 'is empty';
  if (/[\r\n]/.test(uri)) return 'contains a line break';
  if (uri.startsWith('#')) return 'starts with "#" (it would read as a tag)';
  if (uri !== uri.trim()) return 'has leading or trailing whitespace';
  return undefined;
}

/** Why `value` is not a safe integer >= `minimum`, or undefined when it is. */
export function integerProblem(what: string, value: number, minimum: number): string | undefined {
  return Number.isSafeInteger(value) && value >= minimum ? undefined : `${what} must be an integer >= ${minimum}, got ${value}`;
}
