import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../columns';

export const API_KEY_SCOPES = ['admin', 'read'] as const;
/** admin: everything; read: GET/HEAD only. */
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** A named admin API key: only its SHA-256 is stored (the key is 32 random bytes, shown once). */
@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 16 })
  scope!: ApiKeyScope;

  @Index({ unique: true })
  @Column({ name: 'key_hash', type: 'varchar', length: 64 })
  keyHash!: string;

  /** The key's first characters, so people can tell their keys apart. */
  @Column({ type: 'varchar', length: 16 })
  prefix!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;

  @Column({ name: 'last_used_at', type: 'bigint', transformer: epochMs, nullable: true })
  lastUsedAt!: number | null;

  @Column({ name: 'revoked_at', type: 'bigint', transformer: epochMs, nullable: true })
  revokedAt!: number | null;
}
