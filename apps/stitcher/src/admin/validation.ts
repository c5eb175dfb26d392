import { BadRequestException } from '@nestjs/common';
import { z } from 'zod/v4';

/** Field path as people write it: `ladder.profiles[1].height`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

/** 400 with every problem, grouped by field: `{ message, errors: { field: [messages] } }`. */
export class ValidationFailed extends BadRequestException {
  constructor(errors: Record<string, string[]>) {
    super({ statusCode: 400, error: 'Bad Request', message: 'validation failed', errors });
  }
}

export function fieldErrors(problems: { field: string; message: string }[]): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const { field, message } of problems) (errors[field || '(body)'] ??= []).push(message);
  return errors;
}

/** Parses input with a schema, or throws ValidationFailed naming each bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationFailed(
    fieldErrors(result.error.issues.map((issue) => ({ field: fieldPath([...(prefix ? [prefix] : []), ...issue.path]), message: issue.message }))),
  );
}

/** JSON Schema of a zod schema for the OpenAPI document. */
export function openApiSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}
