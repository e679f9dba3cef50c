import { createHmac, timingSafeEqual } from 'node:crypto';

/** Headers of every webhook delivery. */
export const WebhookHeader = {
  /** The event id: the same on every try of one event, for the receiver to deduplicate. */
  Id: 'duemap-webhook-id',
  /** Unix seconds when this try was signed; refuse anything older than a few minutes. */
  Timestamp: 'duemap-webhook-timestamp',
  /** `v1=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the subscription's secret>`. */
  Signature: 'duemap-webhook-signature',
  /** The event type (topic), e.g. payments.payment-received.v1. */
  EventType: 'duemap-event-type',
} as const;

export function sign(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does (the README shows the same in a few lines): recompute the signature over
 * the raw body and compare in constant time, and refuse a timestamp outside the tolerance, so a
 * captured request cannot be replayed later.
 */
export function verify(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  toleranceSeconds = 300,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(sign(secret, timestamp, body));
  const given = Buffer.from(headers.signature ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
