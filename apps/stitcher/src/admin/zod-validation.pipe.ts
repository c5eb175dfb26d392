import { Injectable, PipeTransform } from '@nestjs/common';
import type { z } from 'zod/v4';
import { ValidationFailed, fieldErrors, fieldPath } from './validation-failed';

/**
 * Validates a handler argument (`@Body`, `@Param`, `@Query`) with a zod schema and hands the
 * handler zod's output (defaults applied, numbers coerced); invalid input answers 400 naming
 * each bad field (ValidationFailed).
 */
@Injectable()
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    throw new ValidationFailed(fieldErrors(result.error.issues.map((issue) => ({ field: fieldPath(issue.path), message: issue.message }))));
  }
}
