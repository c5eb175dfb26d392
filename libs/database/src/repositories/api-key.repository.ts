import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, type Repository } from 'typeorm';
import { ApiKeyEntity } from '../entities';

/** Named admin API keys, found by the SHA-256 of the presented key. */
@Injectable()
export class ApiKeyRepository {
  private readonly rows: Repository<ApiKeyEntity>;

  constructor(ds: DataSource) {
    this.rows = ds.getRepository(ApiKeyEntity);
  }

  async insert(key: ApiKeyEntity): Promise<void> {
    await this.rows.insert(key);
  }

  /** A key that is not revoked, by hash. */
  active(keyHash: string): Promise<ApiKeyEntity | null> {
    return this.rows.findOneBy({ keyHash, revokedAt: IsNull() });
  }

  get(id: string): Promise<ApiKeyEntity | null> {
    return this.rows.findOneBy({ id });
  }

  list(page: { limit: number; offset: number; revoked: boolean }): Promise<ApiKeyEntity[]> {
    return this.rows.find({
      where: page.revoked ? {} : { revokedAt: IsNull() },
      order: { createdAt: 'ASC', id: 'ASC' },
      skip: page.offset,
      take: page.limit,
    });
  }

  /** Whether a live key was revoked now. */
  async revoke(id: string, now = Date.now()): Promise<boolean> {
    const result = await this.rows.update({ id, revokedAt: IsNull() }, { revokedAt: now });
    return (result.affected ?? 0) > 0;
  }

  /** Records use at most once per `everyMs`, so a busy key does not write on every request. */
  async touch(id: string, now: number, everyMs: number): Promise<void> {
    await this.rows
      .createQueryBuilder()
      .update(ApiKeyEntity)
      .set({ lastUsedAt: now })
      .where('id = :id AND (last_used_at IS NULL OR last_used_at < :since)', { id, since: now - everyMs })
      .execute();
  }
}
