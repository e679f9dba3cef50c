import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateApiKeys1797000100000 implements MigrationInterface {
  name = 'CreateApiKeys1797000100000';

  async up(q: QueryRunner): Promise<void> {
    // secret_hash is SHA-256 of a 256-bit random secret (api-key-credential.ts): never the secret.
    await q.query(`
      CREATE TABLE IF NOT EXISTS api_keys (
        id           uuid        PRIMARY KEY,
        name         text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        prefix       text        NOT NULL,
        secret_hash  bytea       NOT NULL CHECK (length(secret_hash) = 32),
        roles        text[]      NOT NULL DEFAULT ARRAY['integration']::text[],
        scope        text[],
        sources      text[],
        created_by   text        NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        expires_at   timestamptz,
        revoked_at   timestamptz,
        rotated_from uuid        REFERENCES api_keys (id)
      )`);
    await q.query(`CREATE INDEX IF NOT EXISTS api_keys_created_at_idx ON api_keys (created_at DESC, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS api_keys`);
  }
}
