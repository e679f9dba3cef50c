import { ChainVerifier, type BrokenLink } from './audit-chain';
import type { AuditLogStore } from './audit-log.store';

export interface VerifyReport {
  checked: number;
  /** The last row the chain head named when the walk began. */
  headSeq: string;
  broken: BrokenLink | undefined;
}

/**
 * Recomputes the whole chain from its first row. The head is read first and the walk stops at
 * the row it names, so gateways appending meanwhile do not make an intact log look cut short.
 * A row past the head's number (inserted around the writers) is not seen by this walk.
 */
export async function verifyAuditLog(store: AuditLogStore, pageSize = 1000): Promise<VerifyReport> {
  const head = await store.head();
  const verifier = new ChainVerifier();
  let after = '0';
  for (;;) {
    const rows = await store.rowsAfter(after, head.seq, pageSize);
    for (const row of rows) {
      if (!verifier.next(row))
        return { checked: verifier.checked, headSeq: head.seq, broken: verifier.broken };
    }
    const last = rows[rows.length - 1];
    if (!last || rows.length < pageSize) break;
    after = last.seq;
  }
  return { checked: verifier.checked, headSeq: head.seq, broken: verifier.end(head) };
}
