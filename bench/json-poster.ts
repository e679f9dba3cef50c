import http from 'node:http';

/**
 * The load generator's POST: node:http on kept-alive sockets. The benchmark shares two cores with
 * what it measures, and Node 20's fetch (undici) costs several times the CPU of a plain request
 * per call, which the services would then be short of.
 */
export class JsonPoster {
  private readonly agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 30_000, maxSockets: 512 });
  private readonly url: URL;
  private readonly authorization: Record<string, string>;

  /** `token`: sent as `Authorization: Bearer` on every POST. */
  constructor(baseUrl: string, token?: string) {
    this.url = new URL(baseUrl);
    this.authorization = token === undefined ? {} : { authorization: `Bearer ${token}` };
  }

  /** Resolves with the status once the response has been read; a socket the server closed under us is tried once more. */
  async post(path: string, body: unknown, headers: Record<string, string>): Promise<number> {
    const payload = Buffer.from(JSON.stringify(body));
    try {
      return await this.send(path, payload, headers);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') throw err;
      return this.send(path, payload, headers);
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private send(path: string, payload: Buffer, headers: Record<string, string>): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.url.hostname,
          port: this.url.port,
          method: 'POST',
          path,
          agent: this.agent,
          headers: {
            ...this.authorization,
            ...headers,
            'content-type': 'application/json',
            'content-length': payload.length,
          },
        },
        (res) => {
          res.resume();
          res.once('end', () => resolve(res.statusCode ?? 0));
          res.once('error', reject);
        },
      );
      req.once('error', reject);
      req.end(payload);
    });
  }
}
