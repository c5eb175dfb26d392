import { z } from 'zod/v4';

/**
 * The JSON Schema of a zod schema, for `@ApiBody({ schema })`: the OpenAPI document publishes the
 * same shapes the ZodValidationPipe enforces.
 */
export function openApiSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}
