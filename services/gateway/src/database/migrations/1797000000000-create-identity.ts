import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIdentity1797000000000 implements MigrationInterface {
  name = 'CreateIdentity1797000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS signing_keys (
        kid         text        PRIMARY KEY,
        alg         text        NOT NULL,
        public_jwk  jsonb       NOT NULL,
        private_jwk jsonb       NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        retired_at  timestamptz
      )`);
    await q.query(`
      CREATE TABLE IF NOT EXISTS users (
        id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        username      text        NOT NULL CHECK (length(username) BETWEEN 1 AND 200),
        display_name  text        NOT NULL,
        password_hash text        NOT NULL,
        roles         text[]      NOT NULL DEFAULT '{}',
        territory     jsonb,
        disabled      boolean     NOT NULL DEFAULT false,
        created_at    timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_username_uq UNIQUE (username)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE users`);
    await q.query(`DROP TABLE signing_keys`);
  }
}
