import type { Permission, Role } from '@duemap/auth';
import { DataSource, type EntityManager } from 'typeorm';
import type { ApiKeyLookup, ApiKeyRecord } from './api-key-authenticator';
import { apiKeyPrefix, formatApiKey, issueSecret, newApiKeyId } from './api-key-credential';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeyErrorCode, ApiKeyException } from './api-key.exception';
import { asScope, DEFAULT_API_KEY_ROLES, grantProblems } from './api-key-grant';

/** A rotated key keeps working at most this long beside its successor. */
export const MAX_ROTATION_GRACE_SECONDS = 86_400;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Lists show the newest keys first, this many at most. */
export const API_KEY_LIST_LIMIT = 1000;

export interface NewApiKey {
  name: string;
  roles?: readonly string[];
  scope?: readonly string[] | null;
  sources?: readonly string[] | null;
  expiresAt?: Date | null;
  createdBy: string;
}

/** A key just issued: its row, and the key itself, which is never shown again. */
export interface IssuedApiKey {
  record: ApiKeyEntity;
  key: string;
}

/**
 * Issues, lists, rotates and revokes API keys (the management API and `npm run api-keys`).
 * `changed` is told of every key that stops working, so the gateway's admission cache forgets it
 * at once.
 */
export class ApiKeyRegistry implements ApiKeyLookup {
  constructor(
    private readonly dataSource: DataSource,
    private readonly changed: (id: string) => void = () => undefined,
  ) {}

  async create(input: NewApiKey): Promise<IssuedApiKey> {
    const roles = input.roles ?? DEFAULT_API_KEY_ROLES;
    const problems = grantProblems({ roles, scope: input.scope, sources: input.sources });
    if (problems.length) {
      throw new ApiKeyException(
        ApiKeyErrorCode.InvalidGrant,
        problems.map((p) => p.message).join('; '),
        problems,
      );
    }
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
      const message = 'expiresAt must be in the future';
      throw new ApiKeyException(ApiKeyErrorCode.InvalidGrant, message, [{ field: 'expiresAt', message }]);
    }
    return this.insert(this.dataSource.manager, {
      name: input.name,
      roles: roles as Role[],
      scope: asScope(input.scope),
      sources: input.sources ? [...new Set(input.sources)] : null,
      createdBy: input.createdBy,
      expiresAt: input.expiresAt ?? null,
      rotatedFrom: null,
    });
  }

  list(): Promise<ApiKeyEntity[]> {
    return this.dataSource.getRepository(ApiKeyEntity).find({
      order: { createdAt: 'DESC', id: 'ASC' },
      take: API_KEY_LIST_LIMIT,
    });
  }

  /**
   * A new key with the old one's name and grant; the old one stops working now, or after
   * `graceSeconds` (at most a day) so that a connector can switch over without a gap.
   */
  async rotate(id: string, graceSeconds: number, by: string): Promise<IssuedApiKey> {
    if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > MAX_ROTATION_GRACE_SECONDS) {
      const message = `graceSeconds must be an integer from 0 to ${MAX_ROTATION_GRACE_SECONDS}`;
      throw new ApiKeyException(ApiKeyErrorCode.InvalidGrant, message, [{ field: 'graceSeconds', message }]);
    }
    if (!UUID.test(id)) throw new ApiKeyException(ApiKeyErrorCode.NotFound, `no API key ${id}`);
    const issued = await this.dataSource.transaction(async (em) => {
      const old = await em
        .getRepository(ApiKeyEntity)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!old) throw new ApiKeyException(ApiKeyErrorCode.NotFound, `no API key ${id}`);
      const now = new Date();
      if (old.revokedAt && old.revokedAt <= now) {
        throw new ApiKeyException(ApiKeyErrorCode.Revoked, `API key ${id} is revoked; create a new one`);
      }
      if (old.revokedAt) {
        throw new ApiKeyException(ApiKeyErrorCode.AlreadyRotated, `API key ${id} was rotated already`);
      }
      const stopsAt = new Date(now.getTime() + graceSeconds * 1000);
      await em.update(ApiKeyEntity, { id }, { revokedAt: stopsAt });
      return this.insert(em, {
        name: old.name,
        roles: old.roles,
        scope: old.scope,
        sources: old.sources,
        createdBy: by,
        expiresAt: old.expiresAt,
        rotatedFrom: old.id,
      });
    });
    this.changed(id);
    return issued;
  }

  /** Stops the key now; revoking a revoked key changes nothing. */
  async revoke(id: string): Promise<ApiKeyEntity> {
    if (!UUID.test(id)) throw new ApiKeyException(ApiKeyErrorCode.NotFound, `no API key ${id}`);
    await this.dataSource.query(
      `UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND (revoked_at IS NULL OR revoked_at > now())`,
      [id],
    );
    this.changed(id);
    const record = await this.dataSource.getRepository(ApiKeyEntity).findOneBy({ id });
    if (!record) throw new ApiKeyException(ApiKeyErrorCode.NotFound, `no API key ${id}`);
    return record;
  }

  async find(id: string): Promise<ApiKeyRecord | null> {
    return this.dataSource.getRepository(ApiKeyEntity).findOne({
      where: { id },
      select: ['id', 'secretHash', 'roles', 'scope', 'sources', 'expiresAt', 'revokedAt'],
    });
  }

  async touch(id: string): Promise<void> {
    // The condition keeps several gateway instances from each writing within the same minute.
    await this.dataSource.query(
      `UPDATE api_keys SET last_used_at = now()
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [id],
    );
  }

  private async insert(
    em: EntityManager,
    fields: Pick<ApiKeyEntity, 'name' | 'roles' | 'createdBy' | 'expiresAt' | 'rotatedFrom'> & {
      scope: Permission[] | null;
      sources: string[] | null;
    },
  ): Promise<IssuedApiKey> {
    const id = newApiKeyId();
    const { secret, hash } = issueSecret();
    const record = em.getRepository(ApiKeyEntity).create({
      ...fields,
      id,
      prefix: apiKeyPrefix(id),
      secretHash: hash,
      createdAt: new Date(),
      lastUsedAt: null,
      revokedAt: null,
    });
    await em.getRepository(ApiKeyEntity).insert(record);
    return { record, key: formatApiKey(id, secret) };
  }
}
