import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { z } from 'zod/v4';

/**
 * The JSON Schema of a zod schema, for `@ApiBody({ schema })`: the OpenAPI document publishes the
 * same shapes the ZodValidationPipe enforces.
 */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { unrepresentable: 'any', io }) as Record<string, unknown>;
  return rest;
}

/** One documented query parameter per field of a query schema (as the client writes it: defaults make a field optional). */
export function ApiQueryFrom(schema: z.ZodType): MethodDecorator {
  const json = openApiSchema(schema, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return applyDecorators(
    ...Object.entries(json.properties ?? {}).map(([name, property]) =>
      ApiQuery({
        name,
        required: (json.required ?? []).includes(name),
        schema: property,
        description: typeof property.description === 'string' ? property.description : undefined,
      }),
    ),
  );
}
