import { z } from 'zod/v4';

/** Raw environment, as `process.env` gives it. */
export type Env = Record<string, string | undefined>;

/**
 * One namespace of settings: the environment variables it reads (a zod schema per
 * variable, with its default) and how they map to the typed object the code uses.
 * Every variable is listed here and only here, so the README table, the compose
 * file check and the boot-time validation all read from the same place.
 */
export interface ConfigNamespace<TShape extends z.ZodRawShape, TValue> {
  readonly namespace: string;
  readonly token: string;
  readonly variables: TShape;
  readonly descriptions: Record<keyof TShape & string, string>;
  load(env?: Env): TValue;
}

export type ConfigOf<T> = T extends ConfigNamespace<z.ZodRawShape, infer V> ? V : never;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type VariableSpec<S extends z.ZodTypeAny> = { schema: S; description: string };

/**
 * Declares a settings namespace. Each variable has a schema (with its default) and a
 * one-line description used in the README table.
 */
export function defineConfig<TVars extends Record<string, VariableSpec<z.ZodTypeAny>>, TValue>(
  namespace: string,
  variables: TVars,
  map: (env: { [K in keyof TVars]: z.output<TVars[K]['schema']> }) => TValue,
): ConfigNamespace<{ [K in keyof TVars]: TVars[K]['schema'] }, TValue> {
  const shape = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, v.schema])) as {
    [K in keyof TVars]: TVars[K]['schema'];
  };
  const descriptions = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, v.description])) as Record<
    keyof TVars & string,
    string
  >;
  const schema = z.object(shape);
  return {
    namespace,
    token: `config:${namespace}`,
    variables: shape,
    descriptions,
    load(env: Env = process.env) {
      // Empty strings count as unset, as they do in docker-compose files with `VAR=`.
      const picked = Object.fromEntries(Object.keys(shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
      const parsed = schema.safeParse(picked);
      if (!parsed.success) {
        throw new ConfigError(
          parsed.error.issues.map((issue) => {
            const variable = String(issue.path[0]);
            const shown = isSecretName(variable) ? '(hidden)' : JSON.stringify(picked[variable]);
            return `${variable}=${shown}: ${issue.message}`;
          }),
        );
      }
      return map(parsed.data as { [K in keyof TVars]: z.output<TVars[K]['schema']> });
    },
  };
}

/** Loads several namespaces and reports every bad variable at once, not just the first. */
export function loadAll(namespaces: ConfigNamespace<z.ZodRawShape, unknown>[], env: Env = process.env): void {
  const problems: string[] = [];
  for (const ns of namespaces) {
    try {
      ns.load(env);
    } catch (err) {
      if (err instanceof ConfigError) problems.push(...err.problems);
      else throw err;
    }
  }
  if (problems.length) throw new ConfigError(problems);
}

export function isSecretName(variable: string): boolean {
  return /(KEY|SECRET|TOKEN|PASSWORD)/.test(variable) && !/_URL$/.test(variable);
}
