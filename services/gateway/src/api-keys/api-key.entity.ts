import type { Permission, Role } from '@duemap/auth';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A machine's key (ERP connector, bank feed). Only the SHA-256 of its secret is kept
 * (api-key-credential.ts says why that is enough); the key itself is shown once, when issued.
 */
@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  /** The first characters of the key (`dm_1a2b3c4d`), for lists. */
  @Column({ type: 'text' })
  prefix!: string;

  @Column({ name: 'secret_hash', type: 'bytea' })
  secretHash!: Buffer;

  @Column({ type: 'text', array: true })
  roles!: Role[];

  /** A subset of the roles' permissions; null: the roles decide. */
  @Column({ type: 'text', array: true, nullable: true })
  scope!: Permission[] | null;

  /** Source systems the key may act for (`sap`); null: any. */
  @Column({ type: 'text', array: true, nullable: true })
  sources!: string[] | null;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Refreshed at most once a minute per gateway instance, not on every call. */
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  /** When the key stops working: now when revoked, later when rotated with a grace period. */
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  /** The key this one replaced by rotation. */
  @Column({ name: 'rotated_from', type: 'uuid', nullable: true })
  rotatedFrom!: string | null;
}
