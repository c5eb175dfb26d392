import type { z } from 'zod';

/**
 * Parses a message of a queue or channel contract, or throws `Failure` with every problem in
 * one line ("seq: Expected number; resolution: must be WIDTHxHEIGHT").
 */
export function parseWith<S extends z.ZodTypeAny>(
  schema: S,
  data: unknown,
  what: string,
  Failure: new (message: string) => Error = Error,
): z.infer<S> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ');
  throw new Failure(`invalid ${what}: ${problems}`);
}

/** A pub/sub message's JSON, or undefined when it is not JSON (the caller decides what that means). */
export function parseJson(message: string): unknown {
  try {
    return JSON.parse(message);
  } catch {
    return undefined;
  }
}
