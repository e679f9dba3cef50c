import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got, as it arrived. */
export interface ReceivedRequest {
  readonly method: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
  /** Date.now() when it arrived. */
  readonly receivedAt: number;
  /** Whether the sender closed the connection before any answer (it gave up: a timeout). */
  abandoned: boolean;
}

/** What the receiver does with a request: answer it, or never answer (a hung receiver). */
export type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | 'hang';

/** A webhook receiver on 127.0.0.1 that records every request and answers as told. */
export interface WebhookReceiver {
  /** http://127.0.0.1:<port>/reminders */
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** How the next requests are answered (default: 202 with `{"id":"wh-<n>"}`), possibly later. */
  answer: (request: ReceivedRequest, index: number) => Answer | Promise<Answer>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const hung = new Set<ServerResponse>();
  const receiver: WebhookReceiver = {
    url: '',
    requests: [],
    answer: (_, index) => ({ status: 202, body: { id: `wh-${index}` } }),
    close: async () => {
      for (const res of hung) res.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const request: ReceivedRequest = {
        method: req.method ?? '',
        headers: req.headers,
        body: text ? (JSON.parse(text) as unknown) : undefined,
        receivedAt: Date.now(),
        abandoned: false,
      };
      const index = receiver.requests.push(request) - 1;
      void Promise.resolve(receiver.answer(request, index)).then((answer) => respond(request, res, answer));
    });
  });
  const respond = (request: ReceivedRequest, res: ServerResponse, answer: Answer): void => {
    if (answer === 'hang') {
      hung.add(res);
      res.on('close', () => {
        hung.delete(res);
        if (!res.writableEnded) request.abandoned = true;
      });
      return;
    }
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, { url: `http://127.0.0.1:${port}/reminders` });
}
