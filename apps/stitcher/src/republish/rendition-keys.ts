/**
 * Where a seq's renditions are in the bucket, per variant the session republishes, from the
 * push answer's renditions (ledger row `renditions`, or the worker's announcement). A name the
 * session does not republish is reported and ignored; a variant the answer lacks is absent here,
 * so that variant of the seq comes from the upstream playlist instead.
 */
export function renditionKeysFor(
  variants: readonly string[],
  renditions: Record<string, string> | null | undefined,
  onUnknown: (name: string) => void,
): Map<string, string> {
  const keys = new Map<string, string>();
  if (!renditions) return keys;
  for (const [name, key] of Object.entries(renditions)) {
    if (variants.includes(name)) keys.set(name, key);
    else onUnknown(name);
  }
  return keys;
}
