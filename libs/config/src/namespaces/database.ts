import { z } from 'zod/v4';
import { defineConfig } from '../define-config';
import { bool } from '../schemas';

export const databaseConfig = defineConfig(
  'database',
  {
    DATABASE_URL: {
      schema: z
        .string()
        .regex(/^(postgres(ql)?:\/\/|sqlite:)/, 'must be postgres://... or sqlite:<file>')
        .default('sqlite:data/relay.sqlite'),
      description: 'postgres://user:pass@host:5432/db, or sqlite:<file> (the default, for one machine).',
    },
    DATABASE_SCHEMA: {
      schema: z
        .string()
        .regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL identifier')
        .default('public'),
      description: 'PostgreSQL schema holding the tables (created if missing; tests use one each).',
    },
    DATABASE_MIGRATE: {
      schema: bool(true),
      description: 'Run pending migrations when an app starts (`npm run migrate` runs them by hand).',
    },
  },
  (env) => {
    const isPostgres = env.DATABASE_URL.startsWith('postgres');
    return {
      type: isPostgres ? ('postgres' as const) : ('sqlite' as const),
      url: env.DATABASE_URL,
      sqlitePath: isPostgres ? undefined : env.DATABASE_URL.slice('sqlite:'.length),
      schema: env.DATABASE_SCHEMA,
      migrate: env.DATABASE_MIGRATE,
    };
  },
);
