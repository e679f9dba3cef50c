import {
  canonicalEncoding,
  chainHash,
  ChainVerifier,
  GENESIS_HASH,
  linkEntries,
  type AuditEntry,
  type AuditRow,
} from './audit-chain';

function entry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    at: '2026-05-01T08:30:00.123000Z',
    subject: 'alice',
    kind: 'user',
    keyId: null,
    roles: ['finance'],
    method: 'PUT',
    operation: 'PUT /api/v1/customers/{sourceSystem}/{externalId}',
    resource: { sourceSystem: 'sap', externalId: 'C-1' },
    status: 200,
    address: '127.0.0.1',
    userAgent: 'curl/8',
    traceId: '1'.repeat(32),
    ...overrides,
  };
}

function verify(rows: AuditRow[], head = rows.at(-1) ?? { seq: '0', hash: GENESIS_HASH }) {
  const verifier = new ChainVerifier();
  for (const row of rows) if (!verifier.next(row)) break;
  return { broken: verifier.end(head), checked: verifier.checked };
}

describe('canonicalEncoding', () => {
  it('does not depend on the order of the resource keys (jsonb does not keep it)', () => {
    const a = { ...entry({ resource: { b: '2', a: '1' } }), seq: '1' };
    const b = { ...entry({ resource: { a: '1', b: '2' } }), seq: '1' };
    expect(canonicalEncoding(a)).toBe(canonicalEncoding(b));
  });

  it('tells every field apart, including null from an empty string and a field moved to another', () => {
    const base = { ...entry(), seq: '1' };
    const variants = [
      { ...base, keyId: '' },
      { ...base, address: null },
      { ...base, userAgent: '127.0.0.1', address: 'curl/8' },
      { ...base, status: 201 },
      { ...base, seq: '2' },
      { ...base, roles: ['finance', 'admin'] },
      { ...base, resource: { sourceSystem: 'sap', externalId: 'C-2' } },
      { ...base, subject: 'alice"', kind: 'user' },
    ];
    const encodings = new Set([canonicalEncoding(base), ...variants.map(canonicalEncoding)]);
    expect(encodings.size).toBe(variants.length + 1);
  });

  it('is the same JSON array today as when rows were written (changing it breaks every chain)', () => {
    expect(canonicalEncoding({ ...entry(), seq: '7' })).toBe(
      '[1,"7","2026-05-01T08:30:00.123000Z","alice","user",null,["finance"],"PUT",' +
        '"PUT /api/v1/customers/{sourceSystem}/{externalId}",[["externalId","C-1"],["sourceSystem","sap"]],' +
        `200,"127.0.0.1","curl/8","${'1'.repeat(32)}"]`,
    );
  });
});

describe('linkEntries', () => {
  it('numbers entries after the head and links each to the one before', () => {
    const first = linkEntries({ seq: '0', hash: GENESIS_HASH }, [entry(), entry({ subject: 'bob' })]);
    expect(first.map((r) => r.seq)).toEqual(['1', '2']);
    expect(first[0]?.prevHash).toBe(GENESIS_HASH);
    expect(first[1]?.prevHash).toBe(first[0]?.hash);
    expect(first[0]?.hash).toMatch(/^[0-9a-f]{64}$/);
    const [, second] = first;
    const more = linkEntries({ seq: '2', hash: second?.hash ?? '' }, [entry()]);
    expect(more[0]?.seq).toBe('3');
    expect(more[0]?.prevHash).toBe(second?.hash);
  });

  it('hashes the previous hash with the fields, so equal entries get different hashes', () => {
    const rows = linkEntries({ seq: '0', hash: GENESIS_HASH }, [entry(), entry()]);
    expect(rows[0]?.hash).not.toBe(rows[1]?.hash);
    const { prevHash, hash, ...fields } = rows[1] as AuditRow;
    expect(chainHash(prevHash, fields)).toBe(hash);
  });
});

describe('ChainVerifier', () => {
  const rows = linkEntries(
    { seq: '0', hash: GENESIS_HASH },
    Array.from({ length: 5 }, (_, i) => entry({ subject: `user-${i}` })),
  );

  it('accepts an intact chain and counts its rows', () => {
    expect(verify(rows)).toEqual({ broken: undefined, checked: 5 });
  });

  it('accepts an empty log whose head is the genesis', () => {
    expect(verify([])).toEqual({ broken: undefined, checked: 0 });
  });

  it('names a row whose field was changed', () => {
    const tampered = rows.map((r) => (r.seq === '3' ? { ...r, status: 404 } : r));
    expect(verify(tampered, rows[4])).toEqual({
      broken: { seq: '3', reason: expect.stringContaining('a field was changed') as string },
      checked: 2,
    });
  });

  it('names the row after one changed and re-hashed', () => {
    const tampered = rows.map((r) => {
      if (r.seq !== '2') return r;
      const changed = { ...r, subject: 'mallory' };
      const { prevHash, hash: _hash, ...fields } = changed;
      return { ...changed, hash: chainHash(prevHash, fields) };
    });
    expect(verify(tampered, rows[4]).broken).toEqual({
      seq: '3',
      reason: "prev_hash is not the previous row's hash",
    });
  });

  it('names where a row was removed from the middle', () => {
    expect(
      verify(
        rows.filter((r) => r.seq !== '2'),
        rows[4],
      ).broken,
    ).toEqual({
      seq: '3',
      reason: expect.stringContaining('expected row 2') as string,
    });
  });

  it('notices rows cut off the end through the chain head', () => {
    expect(verify(rows.slice(0, 3), rows[4]).broken).toEqual({
      seq: '4',
      reason: expect.stringContaining('the chain head names row 5') as string,
    });
  });
});
