import { BadRequestException } from '@nestjs/common';

/** Field path as people write it: `ladder.profiles[1].height`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

/** Problems grouped by field; a problem of the whole input is filed under `(body)`. */
export function fieldErrors(problems: { field: string; message: string }[]): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const { field, message } of problems) (errors[field || '(body)'] ??= []).push(message);
  return errors;
}

/** 400 with every problem, grouped by field: `{ message, errors: { field: [messages] } }`. */
export class ValidationFailed extends BadRequestException {
  constructor(errors: Record<string, string[]>) {
    super({ statusCode: 400, error: 'Bad Request', message: 'validation failed', errors });
  }
}
