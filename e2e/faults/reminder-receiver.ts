import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedReminder {
  at: number;
  body: string;
}

/**
 * The far end of the reminder webhook channel (REMINDER_WEBHOOK_URL): records every request and
 * answers 200, or, while hanging, reads the request and never answers (a channel provider that
 * accepted the connection and stalls). `answer()` ends the hang: held requests are reset (the
 * sender sees its call fail, nothing was delivered), later ones are answered again.
 */
export interface ReminderReceiver {
  url: string;
  received: ReceivedReminder[];
  /** Requests received and not answered (while hanging). */
  readonly held: number;
  hang(): void;
  answer(): void;
  close(): Promise<void>;
}

export async function startReminderReceiver(): Promise<ReminderReceiver> {
  const received: ReceivedReminder[] = [];
  const held = new Set<http.ServerResponse>();
  let hanging = false;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ at: Date.now(), body: Buffer.concat(chunks).toString('utf8') });
      if (hanging) {
        held.add(res);
        res.on('close', () => held.delete(res));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `receiver-${received.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/reminders`,
    received,
    get held() {
      return held.size;
    },
    hang() {
      hanging = true;
    },
    answer() {
      hanging = false;
      for (const res of held) res.destroy();
      held.clear();
    },
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
