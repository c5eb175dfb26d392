import type { z } from 'zod/v4';
import type { ConfigNamespace } from './define-config';
import { allNamespaces } from './namespaces';

/**
 * Every variable the given namespaces read, with its default (undefined when it has none).
 * Deployment files (docker-compose.yml, deploy/k8s) are checked against it: a variable they set
 * that no namespace reads is a typo or a leftover.
 */
export function knownVariables(namespaces: readonly ConfigNamespace<z.ZodRawShape, unknown>[] = allNamespaces): Map<string, unknown> {
  const known = new Map<string, unknown>();
  for (const ns of namespaces) {
    for (const [name, schema] of Object.entries(ns.variables)) known.set(name, (schema as z.ZodType).safeParse(undefined).data);
  }
  return known;
}
