import { Injectable, NotFoundException } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { InjectConfig, stitcherConfig, type ConfigOf } from '@lib/config';
import { ApiKeyRepository, type ApiKeyEntity, type ApiKeyScope } from '@lib/database';
import { tokenMatches } from './admin-token';

/** Who a credential is: the bootstrap ADMIN_TOKEN or a named key, and what it may do. */
export interface AdminPrincipal {
  scope: ApiKeyScope;
  /** null for ADMIN_TOKEN */
  keyId: string | null;
}

/** Last-used times are written at most this often per key. */
const TOUCH_EVERY_MS = 10_000;
const KEY_PREFIX = 'lpr_';

/** SHA-256 is enough for keys of 32 random bytes: nothing to brute-force, nothing to salt. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * Named admin API keys: created with a scope (`admin`, or `read` = GET/HEAD only), shown once,
 * stored as SHA-256, revocable, with their last use. ADMIN_TOKEN stays the bootstrap key with
 * the admin scope (compared in constant time); a named key is found by its hash, so the
 * presented key is never compared byte by byte with a stored one.
 */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeyRepository,
    @InjectConfig(stitcherConfig) private readonly settings: ConfigOf<typeof stitcherConfig>,
  ) {}

  async create(input: { name: string; scope: ApiKeyScope }) {
    const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const entity: ApiKeyEntity = {
      id: randomUUID(),
      name: input.name,
      scope: input.scope,
      keyHash: hashApiKey(key),
      prefix: key.slice(0, KEY_PREFIX.length + 6),
      createdAt: Date.now(),
      lastUsedAt: null,
      revokedAt: null,
    };
    await this.keys.insert(entity);
    return { ...view(entity), key };
  }

  async list(page: { limit: number; offset: number; revoked: boolean }) {
    return (await this.keys.list(page)).map(view);
  }

  async revoke(id: string) {
    const row = await this.keys.get(id);
    if (!row) throw new NotFoundException(`no API key with id ${id}`);
    await this.keys.revoke(id);
    return view((await this.keys.get(id))!);
  }

  /** The principal a presented token is, or null. */
  async authenticate(token: string): Promise<AdminPrincipal | null> {
    if (tokenMatches(token, this.settings.adminToken)) return { scope: 'admin', keyId: null };
    if (!token.startsWith(KEY_PREFIX)) return null;
    const row = await this.keys.active(hashApiKey(token));
    if (!row) return null;
    const now = Date.now();
    if (row.lastUsedAt === null || now - row.lastUsedAt >= TOUCH_EVERY_MS) await this.keys.touch(row.id, now, TOUCH_EVERY_MS);
    return { scope: row.scope, keyId: row.id };
  }
}

function view(row: ApiKeyEntity) {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    prefix: row.prefix,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}
