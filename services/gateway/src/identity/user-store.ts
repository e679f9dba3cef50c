import { isRole, type Role, type Territory } from '@duemap/auth';
import type { DataSource } from 'typeorm';
import { hashPassword, needsRehash, verifyPassword } from './password-hash';
import { UserEntity } from './user.entity';

export interface NewUser {
  username: string;
  displayName?: string;
  password: string;
  roles: readonly Role[];
  territory?: Territory;
}

export const USERNAME_PATTERN = /^[A-Za-z0-9._@-]{1,100}$/;
export const MIN_PASSWORD_LENGTH = 12;

export class UserException extends Error {}

/** The local issuer's users (`users`). */
export class UserStore {
  // Checked when the user name is unknown, so that a refusal takes as long either way.
  private decoy: Promise<string> | undefined;

  constructor(private readonly dataSource: DataSource) {}

  async add(user: NewUser): Promise<UserEntity> {
    if (!USERNAME_PATTERN.test(user.username)) {
      throw new UserException('a user name is 1-100 letters, digits, ".", "_", "@" or "-"');
    }
    if (user.password.length < MIN_PASSWORD_LENGTH) {
      throw new UserException(`a password has at least ${MIN_PASSWORD_LENGTH} characters`);
    }
    const unknown = user.roles.filter((role) => !isRole(role));
    if (unknown.length > 0 || user.roles.length === 0) {
      throw new UserException(`roles must be some of admin, finance, collector, viewer, integration`);
    }
    const entity = new UserEntity();
    entity.username = user.username;
    entity.displayName = user.displayName ?? user.username;
    entity.passwordHash = await hashPassword(user.password);
    entity.roles = [...user.roles];
    entity.territory = user.territory ?? null;
    entity.disabled = false;
    entity.createdAt = new Date();
    const inserted = await this.dataSource
      .getRepository(UserEntity)
      .createQueryBuilder()
      .insert()
      .values(entity)
      .orIgnore()
      .returning('id')
      .execute();
    if (inserted.identifiers.length === 0 || !inserted.identifiers[0]) {
      throw new UserException(`a user named ${user.username} exists already`);
    }
    return entity;
  }

  find(username: string): Promise<UserEntity | null> {
    return this.dataSource.getRepository(UserEntity).findOneBy({ username });
  }

  list(): Promise<UserEntity[]> {
    return this.dataSource.getRepository(UserEntity).find({ order: { username: 'ASC' } });
  }

  async setDisabled(username: string, disabled: boolean): Promise<boolean> {
    const result = await this.dataSource.getRepository(UserEntity).update({ username }, { disabled });
    return (result.affected ?? 0) > 0;
  }

  /** The user when the name and password match and the user is not disabled. */
  async authenticate(username: string, password: string): Promise<UserEntity | undefined> {
    const user = USERNAME_PATTERN.test(username) ? await this.find(username) : null;
    if (!user) {
      this.decoy ??= hashPassword('not a password of anyone');
      await verifyPassword(password, await this.decoy);
      return undefined;
    }
    if (!(await verifyPassword(password, user.passwordHash)) || user.disabled) return undefined;
    if (needsRehash(user.passwordHash)) {
      await this.dataSource
        .getRepository(UserEntity)
        .update({ id: user.id }, { passwordHash: await hashPassword(password) });
    }
    return user;
  }
}
