import { Topic } from '@duemap/events';
import { identityHeaders, waitFor } from '@duemap/testing';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify, WebhookHeader } from '../src/subscriptions/webhook-signature';
import { dayFromToday, invoiceIssued, startNotifications, type Notifications } from './harness';

interface Hit {
  headers: IncomingHttpHeaders;
  raw: string;
  at: number;
}

/** An HTTP receiver on 127.0.0.1 keeping each request's raw body; answers as `answer` says. */
async function receiver(answer: (index: number) => number | 'hang') {
  const hits: Hit[] = [];
  const hung = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const index =
        hits.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8'), at: Date.now() }) - 1;
      const status = answer(index);
      if (status === 'hang') hung.add(res);
      else res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    hits,
    set answer(fn: (index: number) => number | 'hang') {
      answer = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hung) res.destroy();
        server.close(() => resolve());
      }),
  };
}

interface Subscription {
  id: string;
  secret: string;
  url: string;
  eventTypes: string[];
}
interface DeadLetter {
  id: string;
  eventId: string;
  eventType: string;
  attempts: number;
  lastStatus: number | null;
}
type ErrorBody = { error: { code: string; details: { field: string }[] } };

describe('notifications: webhook subscriptions of outside systems', () => {
  let n: Notifications;
  let base: string;
  const receivers: { close(): Promise<void> }[] = [];

  async function call<T>(method: string, path: string, body?: unknown) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(await identityHeaders()), 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  beforeAll(async () => {
    n = await startNotifications({
      OUTBOUND_ALLOW_HOSTS: '127.0.0.1',
      WEBHOOK_DELIVERY_ATTEMPTS: '4',
      WEBHOOK_RETRY_DELAY: '200ms',
      WEBHOOK_TIMEOUT: '600ms',
      WEBHOOK_POLL_INTERVAL: '100ms',
    });
    base = n.app.url;
  });

  afterAll(async () => {
    for (const r of receivers) await r.close();
    await n?.close();
  });

  it('refuses URLs that are not http(s) or reach refused ranges, and bad fields, storing nothing', async () => {
    const types = [Topic.InvoiceIssued];
    for (const url of [
      'ftp://127.0.0.1/x',
      'http://169.254.169.254/latest/meta-data',
      'http://10.0.0.7/hook',
      'http://[fe80::1]/hook',
      'http://user:pw@127.0.0.1/hook',
    ]) {
      const res = await call<ErrorBody>('POST', '/api/v1/subscriptions', { url, eventTypes: types });
      expect([400, 422]).toContain(res.status);
      expect(res.body.error.details.map((d) => d.field)).toEqual(['url']);
    }
    const unknown = await call<ErrorBody>('POST', '/api/v1/subscriptions', {
      url: 'http://127.0.0.1:9/hook',
      eventTypes: ['payments.nothing.v1'],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.map((d) => d.field)).toEqual(['eventTypes']);
    const long = await call<ErrorBody>('POST', '/api/v1/subscriptions', {
      url: `http://127.0.0.1:9/${'x'.repeat(2001)}`,
      eventTypes: types,
    });
    expect(long.status).toBe(400);
    expect((await call<unknown[]>('GET', '/api/v1/subscriptions')).body).toEqual([]);
  });

  it('delivers signed events at least once: a healthy receiver at once, a failing one on its 4th try, a dead one to the dead-letter list without delaying the others', async () => {
    const healthy = await receiver(() => 200);
    const flaky = await receiver((i) => (i < 3 ? 503 : 200));
    const dead = await receiver(() => 'hang');
    receivers.push(healthy, flaky, dead);
    const customerId = randomUUID();
    const subscribe = async (url: string, extra: Record<string, unknown> = {}) => {
      const res = await call<Subscription>('POST', '/api/v1/subscriptions', {
        url,
        eventTypes: [Topic.InvoiceIssued, Topic.PaymentReceived],
        description: 'spec',
        ...extra,
      });
      expect(res.status).toBe(201);
      return res.body;
    };
    // The dead one first: its queue is the first the dispatcher serves.
    const deadSub = await subscribe(dead.url);
    const healthySub = await subscribe(healthy.url, { customerIds: [customerId], secret: 's'.repeat(32) });
    const flakySub = await subscribe(flaky.url);
    const elsewhere = await subscribe(healthy.url, { customerIds: [randomUUID()] });
    expect(healthySub.secret).toBe('s'.repeat(32));
    expect(deadSub.secret).toMatch(/^whsec_/);
    const listed = await call<Record<string, unknown>[]>('GET', '/api/v1/subscriptions');
    expect(listed.body).toHaveLength(4);
    expect(listed.body.every((s) => !('secret' in s))).toBe(true);

    const invoiceId = randomUUID();
    const eventId = await n.publish(
      Topic.InvoiceIssued,
      invoiceIssued(customerId, invoiceId, dayFromToday(20), { number: 'INV-WH-1' }),
    );

    const [hit] = await waitFor('the healthy receiver', () =>
      healthy.hits.length > 0 ? healthy.hits : undefined,
    );
    // Not held up by the receiver that hangs: it got the event before the hung try timed out.
    const firstDeadTry = await waitFor('a try at the dead receiver', () => dead.hits[0]);
    expect(hit!.at - firstDeadTry.at).toBeLessThan(600);
    expect(hit!.headers[WebhookHeader.Id]).toBe(eventId);
    expect(hit!.headers['idempotency-key']).toBe(eventId);
    expect(hit!.headers[WebhookHeader.EventType]).toBe(Topic.InvoiceIssued);
    expect(
      verify(
        healthySub.secret,
        {
          timestamp: hit!.headers[WebhookHeader.Timestamp] as string,
          signature: hit!.headers[WebhookHeader.Signature] as string,
        },
        hit!.raw,
      ),
    ).toBe(true);
    expect(
      verify(
        'another secret of 32 characters!',
        {
          timestamp: hit!.headers[WebhookHeader.Timestamp] as string,
          signature: hit!.headers[WebhookHeader.Signature] as string,
        },
        hit!.raw,
      ),
    ).toBe(false);
    const body = JSON.parse(hit!.raw) as {
      id: string;
      type: string;
      customerId: string;
      data: Record<string, unknown>;
    };
    expect(body).toMatchObject({ id: eventId, type: Topic.InvoiceIssued, customerId });
    expect(body.data).toMatchObject({
      invoiceId,
      number: 'INV-WH-1',
      total: { amount: '1130.00', currency: 'CNY' },
    });

    // 503, 503, 503, then 200: the same event id each time, delivered once accepted.
    await waitFor('the flaky receiver on its 4th try', () => (flaky.hits.length === 4 ? true : undefined));
    expect(new Set(flaky.hits.map((h) => h.headers[WebhookHeader.Id]))).toEqual(new Set([eventId]));
    const gaps = flaky.hits.slice(1).map((h, i) => h.at - flaky.hits[i]!.at);
    // Exponential backoff: a retry is never due before 200 ms × 2^(try − 1) after the failure (lower
    // bounds only: a busy machine delays a retry, it never brings one forward).
    expect(gaps[0]!).toBeGreaterThanOrEqual(200);
    expect(gaps[1]!).toBeGreaterThanOrEqual(400);
    expect(gaps[2]!).toBeGreaterThanOrEqual(800);

    // The dead receiver: four tries, then its dead-letter list.
    const [letter] = await waitFor('the dead letter', async () => {
      const res = await call<DeadLetter[]>('GET', `/api/v1/subscriptions/${deadSub.id}/dead-letters`);
      return res.body.length > 0 ? res.body : undefined;
    });
    expect(letter).toMatchObject({ eventId, eventType: Topic.InvoiceIssued, attempts: 4, lastStatus: null });
    expect(dead.hits).toHaveLength(4);
    expect(
      (await call<DeadLetter[]>('GET', `/api/v1/subscriptions/${flakySub.id}/dead-letters`)).body,
    ).toEqual([]);
    // The subscription filtered on another customer got nothing.
    const queued = await n.db.query<unknown[]>(
      `SELECT 1 FROM webhook_deliveries WHERE subscription_id = $1`,
      [elsewhere.id],
    );
    expect(queued).toEqual([]);
    expect(healthy.hits).toHaveLength(1);

    // Back up: redelivered on request, and the list empties.
    dead.answer = () => 204;
    const redelivered = await call<{ redelivered: number }>(
      'POST',
      `/api/v1/subscriptions/${deadSub.id}/redeliver`,
      {},
    );
    expect(redelivered).toEqual({ status: 200, body: { redelivered: 1 } });
    await waitFor('the redelivery', () => (dead.hits.length === 5 ? true : undefined));
    expect(dead.hits[4]!.headers[WebhookHeader.Id]).toBe(eventId);
    await waitFor('the dead-letter list empty', async () =>
      (await call<DeadLetter[]>('GET', `/api/v1/subscriptions/${deadSub.id}/dead-letters`)).body.length === 0
        ? true
        : undefined,
    );
  });

  it('deletes a subscription: 404 after, and unknown ids are 404', async () => {
    const created = await call<Subscription>('POST', '/api/v1/subscriptions', {
      url: 'http://127.0.0.1:9/hook',
      eventTypes: [Topic.InvoicePaid],
    });
    expect((await call('DELETE', `/api/v1/subscriptions/${created.body.id}`)).status).toBe(200);
    expect((await call<ErrorBody>('GET', `/api/v1/subscriptions/${created.body.id}`)).body.error.code).toBe(
      'SUBSCRIPTION_NOT_FOUND',
    );
    expect((await call('GET', `/api/v1/subscriptions/${randomUUID()}/dead-letters`)).status).toBe(404);
    expect((await call('POST', `/api/v1/subscriptions/${randomUUID()}/redeliver`, {})).status).toBe(404);
    expect((await call('GET', '/api/v1/subscriptions/not-a-uuid')).status).toBe(400);
  });
});
