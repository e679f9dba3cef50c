import { startWebhookReceiver, type WebhookReceiver } from '../../test/webhook-receiver';
import type { OutgoingReminder } from './reminder-channel';
import { WebhookChannel, WebhookRefusedError } from './webhook.channel';

const message: OutgoingReminder = {
  reminderId: '7d1f3c1e-0000-4000-8000-000000000001',
  invoiceId: 'inv-1',
  customerId: 'c-1',
  level: 2,
  locale: 'en',
  subject: 'Payment reminder: invoice INV-1 is due today',
  body: 'Dear ACME Ltd, ...',
};

describe('WebhookChannel (against a real HTTP server on 127.0.0.1)', () => {
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    receiver = await startWebhookReceiver();
  });

  afterEach(async () => {
    await receiver.close();
  });

  const channel = (timeoutMs = 2000) =>
    new WebhookChannel({ url: receiver.url, timeoutMs, outbound: { allowHosts: ['127.0.0.1'] } });

  it('POSTs the reminder as JSON with the reminder id as Idempotency-Key, and takes the id the receiver gives', async () => {
    receiver.answer = () => ({ status: 201, body: { id: 'msg-42' } });
    await expect(channel().send(message)).resolves.toEqual({ channelMessageId: 'msg-42' });
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request?.method).toBe('POST');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['idempotency-key']).toBe(message.reminderId);
    expect(request?.body).toEqual(message);
  });

  it('sends the same Idempotency-Key on every try of one reminder, and a new request id each time', async () => {
    await channel().send(message);
    await channel().send(message);
    const [a, b] = receiver.requests;
    expect(a?.headers['idempotency-key']).toBe(b?.headers['idempotency-key']);
    expect(a?.headers['x-request-id']).not.toBe(b?.headers['x-request-id']);
  });

  it('falls back to the answer X-Request-Id, then to the request id it sent', async () => {
    receiver.answer = () => ({ status: 200, headers: { 'x-request-id': 'their-id' } });
    await expect(channel().send(message)).resolves.toEqual({ channelMessageId: 'their-id' });
    receiver.answer = () => ({ status: 204 });
    const { channelMessageId } = await channel().send(message);
    expect(channelMessageId).toBe(receiver.requests[1]?.headers['x-request-id']);
  });

  it.each([400, 409, 500, 503])('refuses the delivery on %i', async (status) => {
    receiver.answer = () => ({ status, body: { error: 'no' } });
    const sent = channel().send(message);
    await expect(sent).rejects.toBeInstanceOf(WebhookRefusedError);
    await expect(sent).rejects.toThrow(`the webhook answered ${status}: {"error":"no"}`);
  });

  it('gives up on a receiver that never answers after its timeout', async () => {
    receiver.answer = () => 'hang';
    const started = Date.now();
    await expect(channel(300).send(message)).rejects.toThrow(/abort|timeout/i);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('gives up when the caller aborts, before its own timeout', async () => {
    receiver.answer = () => 'hang';
    const caller = new AbortController();
    const sent = channel(60_000).send(message, { signal: caller.signal });
    await new Promise((resolve) => setImmediate(resolve));
    caller.abort(new Error('send timeout'));
    await expect(sent).rejects.toThrow('send timeout');
  });

  it('fails when nothing listens at the URL', async () => {
    const url = receiver.url;
    await receiver.close();
    receiver = await startWebhookReceiver();
    await expect(
      new WebhookChannel({ url, timeoutMs: 2000, outbound: { allowPrivate: true } }).send(message),
    ).rejects.toThrow();
  });

  it('refuses to send to an internal address unless allowed, before any request', async () => {
    const before = receiver.requests.length;
    await expect(new WebhookChannel({ url: receiver.url, timeoutMs: 2000 }).send(message)).rejects.toThrow(
      /internal address/,
    );
    expect(receiver.requests.length).toBe(before);
  });
});
