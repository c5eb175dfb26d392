/**
 * go-livepeer names segments `{seq}.ts`: the sequence number is the leading digits of the last
 * path component (query and fragment ignored). Undefined when there are none.
 */
export function segmentSequenceNumber(uri: string): number | undefined {
  const path = uri.replace(/[?#].*$/s, '');
  const name = path.slice(path.lastIndexOf('/') + 1);
  const digits = /^\d{1,15}/.exec(name);
  return digits ? Number(digits[0]) : undefined;
}
