import { z } from 'zod/v4';

/** Schema helpers shared by the namespaces, so every port or duration is checked alike. */

/** A TCP port; 0 asks the OS for any free port (tests use that). */
export const port = (fallback: number) =>
  z.coerce.number().int('must be an integer').min(0).max(65535, 'must be 0..65535').default(fallback);

export const positiveInt = (fallback: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int('must be an integer').positive('must be > 0').max(max).default(fallback);

export const positiveNumber = (fallback: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().positive('must be > 0').max(max).default(fallback);

/** A number >= 0 (0 usually turns the feature off). */
export const nonNegativeNumber = (fallback: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().min(0, 'must be >= 0').max(max).default(fallback);

const urlSchema = () =>
  z
    .string()
    .url('must be a URL')
    .refine((v) => /^https?:\/\//.test(v), 'must start with http:// or https://')
    .transform((v) => v.replace(/\/+$/, ''));

/** An http(s) URL without its trailing slash. */
export const httpUrl = (fallback: string) => urlSchema().default(fallback);
export const optionalHttpUrl = () => urlSchema().optional();

export const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Like bool, but unset stays undefined (for a setting whose absence means "let another setting decide"). */
export const optionalBool = () =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1' || v === 'yes'));

/** Lower-case, digits and dashes: safe as a Redis key prefix, a bucket name part or a queue prefix. */
export const slug = (fallback: string) =>
  z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes')
    .max(40)
    .default(fallback);

export const host = (fallback: string) => z.string().min(1).default(fallback);

/** `host:port` entries (or `http(s)://host:port`), comma separated; kept as lower-case `host:port`. */
export const hostList = () =>
  z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((h) =>
          h
            .trim()
            .toLowerCase()
            .replace(/^https?:\/\//, '')
            .replace(/\/.*$/, ''),
        )
        .filter(Boolean),
    )
    .refine((hosts) => hosts.every((h) => /^[a-z0-9.[\]:-]+$/.test(h)), 'must be a comma-separated list of host[:port]');
