import type { Role, Territory } from '@duemap/auth';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A person who signs in at the local issuer (the console, `npm run token`). */
@Entity('users')
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text', unique: true })
  username!: string;

  @Column({ name: 'display_name', type: 'text' })
  displayName!: string;

  /** `scrypt$N$r$p$salt$hash` (password-hash.ts). */
  @Column({ name: 'password_hash', type: 'text' })
  passwordHash!: string;

  @Column({ type: 'text', array: true })
  roles!: Role[];

  @Column({ type: 'jsonb', nullable: true })
  territory!: Territory | null;

  @Column({ type: 'boolean', default: false })
  disabled!: boolean;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
