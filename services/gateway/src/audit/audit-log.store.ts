import type { Pool, PoolClient } from 'pg';
import { linkEntries, type AuditEntry, type AuditRow, type ChainHead } from './audit-chain';

/** The columns of a row, `at` as the canonical string the hash covers (microseconds, UTC). */
const ROW_COLUMNS = `
  seq::text AS seq,
  to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
  subject, kind, key_id, roles, method, operation, resource, status, address, user_agent, trace_id,
  prev_hash, hash`;

interface RowRecord {
  seq: string;
  at: string;
  subject: string;
  kind: string;
  key_id: string | null;
  roles: string[];
  method: string;
  operation: string | null;
  resource: Record<string, string>;
  status: number;
  address: string | null;
  user_agent: string | null;
  trace_id: string | null;
  prev_hash: string;
  hash: string;
}

function rowOf(r: RowRecord): AuditRow {
  return {
    seq: r.seq,
    at: r.at,
    subject: r.subject,
    kind: r.kind,
    keyId: r.key_id,
    roles: r.roles,
    method: r.method,
    operation: r.operation,
    resource: r.resource,
    status: r.status,
    address: r.address,
    userAgent: r.user_agent,
    traceId: r.trace_id,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export interface AuditQuery {
  subject?: string;
  operation?: string;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  /** A path parameter's value (a customer id, a source key). */
  resource?: string;
  /** Rows older than this seq (the cursor of the previous page). */
  beforeSeq?: string;
  limit: number;
}

const FIELDS_PER_ROW = 15;

/** The audit_log and audit_chain_head tables, on pg directly (no ORM between the hash and the row). */
export class AuditLogStore {
  constructor(private readonly pool: Pool) {}

  /**
   * Appends entries in the order given, in one transaction: the chain head is locked (so writers
   * of several gateways take turns), the rows are numbered and hashed after it, inserted, and the
   * head moved to the last of them. Nothing is written if any step fails.
   */
  async append(entries: readonly AuditEntry[]): Promise<AuditRow[]> {
    if (entries.length === 0) return [];
    const client = await this.pool.connect();
    let failed = false;
    try {
      await client.query('BEGIN');
      const head = await this.lockHead(client);
      const rows = linkEntries(head, entries);
      const values: unknown[] = [];
      const tuples = rows.map((row, i) => {
        values.push(
          row.seq,
          row.at,
          row.subject,
          row.kind,
          row.keyId,
          row.roles,
          row.method,
          row.operation,
          JSON.stringify(row.resource),
          row.status,
          row.address,
          row.userAgent,
          row.traceId,
          row.prevHash,
          row.hash,
        );
        const base = i * FIELDS_PER_ROW;
        const params = Array.from({ length: FIELDS_PER_ROW }, (_, k) => `$${base + k + 1}`);
        return `(${params.join(', ')})`;
      });
      await client.query(
        `INSERT INTO audit_log (seq, at, subject, kind, key_id, roles, method, operation, resource,
                                status, address, user_agent, trace_id, prev_hash, hash)
         VALUES ${tuples.join(', ')}`,
        values,
      );
      const last = rows[rows.length - 1] as AuditRow;
      await client.query('UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id', [last.seq, last.hash]);
      await client.query('COMMIT');
      return rows;
    } catch (err) {
      failed = true;
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      // A connection that failed mid-transaction may be broken: do not hand it to the next batch.
      client.release(failed);
    }
  }

  private async lockHead(client: PoolClient): Promise<ChainHead> {
    const { rows } = await client.query<{ seq: string; hash: string }>(
      'SELECT seq::text AS seq, hash FROM audit_chain_head WHERE id FOR UPDATE',
    );
    const head = rows[0];
    if (!head) throw new Error('audit_chain_head has no row: run the gateway migrations');
    return head;
  }

  async head(): Promise<ChainHead> {
    const { rows } = await this.pool.query<{ seq: string; hash: string }>(
      'SELECT seq::text AS seq, hash FROM audit_chain_head WHERE id',
    );
    const head = rows[0];
    if (!head) throw new Error('audit_chain_head has no row: run the gateway migrations');
    return head;
  }

  /** Rows after `afterSeq` up to `upToSeq` in chain order, for verification page by page. */
  async rowsAfter(afterSeq: string, upToSeq: string, limit: number): Promise<AuditRow[]> {
    const { rows } = await this.pool.query<RowRecord>(
      `SELECT ${ROW_COLUMNS} FROM audit_log WHERE seq > $1 AND seq <= $2 ORDER BY audit_log.seq LIMIT $3`,
      [afterSeq, upToSeq, limit],
    );
    return rows.map(rowOf);
  }

  /** Newest first; one row more than `limit` is read to tell whether another page follows. */
  async list(query: AuditQuery): Promise<{ rows: AuditRow[]; more: boolean }> {
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (sql: (param: string) => string, value: unknown): void => {
      values.push(value);
      where.push(sql(`$${values.length}`));
    };
    if (query.subject !== undefined) add((p) => `subject = ${p}`, query.subject);
    if (query.operation !== undefined) add((p) => `operation = ${p}`, query.operation);
    if (query.from !== undefined) add((p) => `at >= ${p}`, query.from);
    if (query.to !== undefined) add((p) => `at < ${p}`, query.to);
    if (query.resource !== undefined) {
      add((p) => `EXISTS (SELECT 1 FROM jsonb_each_text(resource) r WHERE r.value = ${p})`, query.resource);
    }
    if (query.beforeSeq !== undefined) add((p) => `seq < ${p}::bigint`, query.beforeSeq);
    values.push(query.limit + 1);
    const { rows } = await this.pool.query<RowRecord>(
      `SELECT ${ROW_COLUMNS} FROM audit_log
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY audit_log.seq DESC LIMIT $${values.length}`,
      values,
    );
    return { rows: rows.slice(0, query.limit).map(rowOf), more: rows.length > query.limit };
  }
}
