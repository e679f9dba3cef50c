import { createHash } from 'node:crypto';

/** What one audited call was: who, what, when, from where. Built at the gateway when it answers. */
export interface AuditEntry {
  /** `2026-05-01T08:30:00.123000Z`: microseconds, as timestamptz keeps it, so it reads back the same. */
  at: string;
  /** OIDC `sub`, user name or `api-key:<id>`; `anonymous` when no credential was accepted. */
  subject: string;
  /** user, api-key, client, or `anonymous`. */
  kind: string;
  keyId: string | null;
  roles: readonly string[];
  method: string;
  /** The matrix key (`GET /api/v1/customers/{id}`), or null for a path the matrix does not know. */
  operation: string | null;
  /** The operation's path parameters (`{"id": "…"}`). */
  resource: Readonly<Record<string, string>>;
  status: number;
  address: string | null;
  userAgent: string | null;
  traceId: string | null;
}

/** An entry as stored: its place in the chain and the hashes that link it. */
export interface AuditRow extends AuditEntry {
  /** Decimal string: a bigint, and numbered without gaps from 1. */
  seq: string;
  prevHash: string;
  hash: string;
}

/** The link before the first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** Bumped if the encoding ever changes; rows keep the version they were hashed with. */
const ENCODING_VERSION = 1;

/**
 * The bytes a row's hash covers: every stored field, in a fixed order, as a JSON array (JSON
 * because its string escaping is defined and JSON.stringify never varies for strings, numbers and
 * arrays). The resource object becomes sorted [key, value] pairs: Postgres' jsonb does not keep
 * key order, so the object's own order cannot be what is hashed.
 */
export function canonicalEncoding(row: Omit<AuditRow, 'prevHash' | 'hash'>): string {
  const resource = Object.keys(row.resource)
    .sort()
    .map((key) => [key, row.resource[key]]);
  return JSON.stringify([
    ENCODING_VERSION,
    row.seq,
    row.at,
    row.subject,
    row.kind,
    row.keyId,
    [...row.roles],
    row.method,
    row.operation,
    resource,
    row.status,
    row.address,
    row.userAgent,
    row.traceId,
  ]);
}

/** sha256 (hex) over the previous row's hash and this row's canonical encoding. */
export function chainHash(prevHash: string, row: Omit<AuditRow, 'prevHash' | 'hash'>): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalEncoding(row)).digest('hex');
}

/** The end of the chain: the last row's number and hash (0 and GENESIS_HASH when empty). */
export interface ChainHead {
  seq: string;
  hash: string;
}

/** Numbers and links entries after `head`, in the order given. */
export function linkEntries(head: ChainHead, entries: readonly AuditEntry[]): AuditRow[] {
  let seq = BigInt(head.seq);
  let prevHash = head.hash;
  return entries.map((entry) => {
    seq += 1n;
    const unlinked = { ...entry, seq: seq.toString() };
    const hash = chainHash(prevHash, unlinked);
    const row: AuditRow = { ...unlinked, prevHash, hash };
    prevHash = hash;
    return row;
  });
}

export interface BrokenLink {
  seq: string;
  reason: string;
}

/**
 * Walks rows in seq order and stops at the first that does not follow from the one before: a
 * number out of sequence (a row removed or inserted), a prev_hash that is not the previous row's
 * hash (a row removed, or its hash rewritten), or a hash that is not the hash of its own fields (a
 * field changed). Feed it rows page by page; `end` checks the last row against the chain head.
 */
export class ChainVerifier {
  private expectedSeq = 1n;
  private prevHash = GENESIS_HASH;
  checked = 0;
  broken: BrokenLink | undefined;

  /** False once a broken link was found (later rows are not checked). */
  next(row: AuditRow): boolean {
    if (this.broken) return false;
    if (BigInt(row.seq) !== this.expectedSeq) {
      this.broken = {
        seq: row.seq,
        reason: `expected row ${this.expectedSeq.toString()} here: rows are missing or out of order`,
      };
      return false;
    }
    if (row.prevHash !== this.prevHash) {
      this.broken = { seq: row.seq, reason: "prev_hash is not the previous row's hash" };
      return false;
    }
    const { prevHash: _prev, hash: _hash, ...fields } = row;
    if (chainHash(row.prevHash, fields) !== row.hash) {
      this.broken = {
        seq: row.seq,
        reason: 'hash does not match the fields of the row (a field was changed)',
      };
      return false;
    }
    this.checked += 1;
    this.expectedSeq += 1n;
    this.prevHash = row.hash;
    return true;
  }

  /** The head names the last row written: rows cut off the end would leave it pointing further. */
  end(head: ChainHead): BrokenLink | undefined {
    if (this.broken) return this.broken;
    const last = (this.expectedSeq - 1n).toString();
    if (head.seq !== last) {
      this.broken = {
        seq: this.expectedSeq.toString(),
        reason: `the chain head names row ${head.seq} but the log ends at row ${last}: rows are missing from the end`,
      };
    } else if (head.hash !== this.prevHash) {
      this.broken = { seq: last, reason: "the chain head's hash is not this row's hash" };
    }
    return this.broken;
  }
}
