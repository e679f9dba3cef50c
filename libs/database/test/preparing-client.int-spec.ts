import { testEnv } from '@duemap/testing';
import { PreparingClient } from '../src/preparing-client';

describe('PreparingClient', () => {
  let client: PreparingClient;

  beforeAll(async () => {
    client = new PreparingClient({ connectionString: testEnv.databaseUrl });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
  });

  const prepared = async (): Promise<string[]> =>
    (await client.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements')).rows.map(
      (r) => r.statement,
    );

  it('prepares a parameterised statement once per text and answers like an unnamed one', async () => {
    const text = 'SELECT $1::int + 1 AS n';
    const first = await client.query<{ n: number }>(text, [1]);
    const second = await client.query<{ n: number }>({ text, values: [41] });
    expect(first.rows).toEqual([{ n: 2 }]);
    expect(second.rows).toEqual([{ n: 42 }]);
    expect((await prepared()).filter((s) => s === text)).toHaveLength(1);
  });

  it('leaves statements without parameters unnamed', async () => {
    await client.query('SELECT 7 AS seven');
    expect(await prepared()).not.toContain('SELECT 7 AS seven');
  });

  it('reports errors of a prepared statement and runs it again afterwards', async () => {
    await expect(client.query('SELECT 1 / $1::int AS q', [0])).rejects.toThrow(/division by zero/);
    await expect(client.query('SELECT 1 / $1::int AS q', [1])).resolves.toMatchObject({ rows: [{ q: 1 }] });
  });
});
