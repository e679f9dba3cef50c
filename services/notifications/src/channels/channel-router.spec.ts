import { ChannelRouter } from './channel-router';
import { PermanentDeliveryError, type OutgoingReminder, type ReminderChannel } from './reminder-channel';

const message: OutgoingReminder = {
  reminderId: 'r-1',
  invoiceId: 'i-1',
  customerId: 'c-1',
  level: 2,
  channel: 'sms',
  locale: 'en',
  subject: 's',
  body: 'b',
};
const NOW = new Date('2025-03-31T01:00:00Z');

function transport(name: string, idempotent = false): jest.Mocked<ReminderChannel> {
  return { name, idempotent, send: jest.fn() };
}

function setup(attempt = 1) {
  const email = transport('email');
  const sms = transport('sms');
  const webhook = transport('webhook', true);
  const log = { begin: jest.fn().mockResolvedValue(attempt), finish: jest.fn().mockResolvedValue(undefined) };
  const router = new ChannelRouter({
    routes: { email, sms, webhook },
    log,
    retryDelayMs: 1000,
    now: () => NOW,
  });
  return { router, email, sms, webhook, log };
}

describe('ChannelRouter', () => {
  it("sends through the transport of the reminder's channel and logs the attempt, then what the provider said", async () => {
    const { router, sms, email, log } = setup();
    sms.send.mockResolvedValue({
      channelMessageId: 'p-1',
      response: 'record: ok',
      recipient: '+8613800138000',
    });
    await expect(router.send(message)).resolves.toMatchObject({ channelMessageId: 'p-1' });
    expect(email.send).not.toHaveBeenCalled();
    expect(log.begin).toHaveBeenCalledWith(
      { reminderId: 'r-1', invoiceId: 'i-1', customerId: 'c-1', level: 2, channel: 'sms' },
      NOW,
    );
    expect(log.finish).toHaveBeenCalledWith('r-1', {
      status: 'sent',
      recipient: '+8613800138000',
      providerMessageId: 'p-1',
      providerResponse: 'record: ok',
    });
  });

  it('uses email when the reminder names no channel', async () => {
    const { router, email } = setup();
    email.send.mockResolvedValue({ channelMessageId: 'm' });
    await router.send({ ...message, channel: undefined });
    expect(email.send).toHaveBeenCalled();
  });

  it('logs a failure that passes as retrying, with the next try as the queue computes it', async () => {
    const { router, sms, log } = setup(3);
    sms.send.mockRejectedValue(new Error('421 busy'));
    await expect(router.send(message)).rejects.toThrow('421 busy');
    expect(log.finish).toHaveBeenCalledWith('r-1', {
      status: 'retrying',
      error: '421 busy',
      providerResponse: undefined,
      nextAttemptAt: new Date(NOW.getTime() + 4000),
    });
  });

  it('logs a hard failure, or the last attempt, as failed', async () => {
    const { router, sms, log } = setup();
    sms.send.mockRejectedValueOnce(new PermanentDeliveryError('refused', '550 no'));
    await expect(router.send(message)).rejects.toBeInstanceOf(PermanentDeliveryError);
    expect(log.finish).toHaveBeenLastCalledWith('r-1', {
      status: 'failed',
      error: 'refused',
      providerResponse: '550 no',
    });
    sms.send.mockRejectedValueOnce(new Error('421 busy'));
    await expect(router.send(message, { final: true })).rejects.toThrow();
    expect(log.finish).toHaveBeenLastCalledWith('r-1', expect.objectContaining({ status: 'failed' }));
  });

  it('logs an attempt the sender gave up on as unconfirmed on a transport that cannot be asked twice', async () => {
    const { router, sms, log } = setup();
    const controller = new AbortController();
    controller.abort(new Error('timeout'));
    sms.send.mockRejectedValue(new Error('timeout'));
    await expect(router.send(message, { signal: controller.signal })).rejects.toThrow();
    expect(log.finish).toHaveBeenCalledWith('r-1', expect.objectContaining({ status: 'unconfirmed' }));
  });

  it('answers idempotency per channel', () => {
    const { router } = setup();
    expect(router.idempotentFor('webhook')).toBe(true);
    expect(router.idempotentFor('email')).toBe(false);
    expect(router.idempotent).toBe(false);
  });
});
