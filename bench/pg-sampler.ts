import { Client } from 'pg';

/**
 * Where Postgres spends its time, without pg_stat_statements (which needs a server restart):
 * polls pg_stat_activity and counts, per database and statement, how often a backend was seen
 * running it. A statement's share of the samples is its share of the backends' busy time.
 * BENCH_PG_SAMPLE=1 turns it on for the measured window of bench:e2e.
 */
export class PgActivitySampler {
  private readonly counts = new Map<string, number>();
  private samples = 0;
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly url: string,
    /** The databases to watch, by the name to print for each. */
    private readonly databases: Record<string, string>,
    private readonly everyMs = 10,
  ) {}

  async start(): Promise<void> {
    const client = new Client({ connectionString: this.url });
    await client.connect();
    const names = new Map(Object.entries(this.databases).map(([label, db]) => [db, label]));
    this.running = true;
    this.loop = (async () => {
      try {
        while (this.running) {
          const { rows } = await client.query<{ datname: string; query: string; wait: string | null }>(
            `SELECT datname, query, wait_event_type AS wait FROM pg_stat_activity
              WHERE state = 'active' AND datname = ANY($1) AND pid <> pg_backend_pid()`,
            [[...names.keys()]],
          );
          this.samples++;
          for (const row of rows) {
            const text = row.query.replace(/\s+/g, ' ').trim().slice(0, 110);
            const key = `${names.get(row.datname) ?? row.datname}${row.wait ? ` [${row.wait}]` : ''}: ${text}`;
            this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
          }
          await new Promise((resolve) => setTimeout(resolve, this.everyMs));
        }
      } finally {
        await client.end();
      }
    })();
  }

  /** Stops and returns the top statements as lines: mean active backends, then the statement. */
  async stop(top = 25): Promise<string[]> {
    this.running = false;
    await this.loop;
    return [...this.counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, n]) => `${(n / Math.max(1, this.samples)).toFixed(3)}  ${key}`);
  }
}
