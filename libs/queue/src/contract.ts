/** A zod schema of either API (v3 or v4): all parseWith needs of it. */
interface SafeParser<T> {
  safeParse(data: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
}

/**
 * Parses a message of a queue or channel contract, or throws `Failure` with every problem in
 * one line ("seq: Expected number; resolution: must be WIDTHxHEIGHT").
 */
export function parseWith<T>(schema: SafeParser<T>, data: unknown, what: string, Failure: new (message: string) => Error = Error): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || 'value'}: ${i.message}`).join('; ');
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
