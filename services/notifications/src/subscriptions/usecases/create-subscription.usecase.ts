import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { InjectConfig } from '@duemap/config';
import { checkOutboundUrl, isInternalAddress, parseHostList, type OutboundPolicy } from '@duemap/http';
import { randomBytes, randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { Repository } from 'typeorm';
import { NotificationsErrorCode, NotificationsException } from '../../common/notifications.exception';
import type { NotificationsConfig } from '../../config';
import type { CreateSubscriptionRequestDto } from '../dtos/create-subscription.request.dto';
import { WebhookSubscriptionEntity } from '../webhook-subscription.entity';

/** Most subscriptions kept: each one is a queue the dispatcher serves. */
export const MAX_SUBSCRIPTIONS = 1000;

/** Link-local (169.254.0.0/16 with the cloud metadata service, fe80::/10): refused even with OUTBOUND_ALLOW_PRIVATE. */
function isLinkLocal(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (isIP(bare) === 4) return bare.startsWith('169.254.');
  if (isIP(bare) === 6) return /^fe[89ab][0-9a-f]:/.test(bare);
  return bare === 'metadata.google.internal' || bare === 'metadata';
}

export function outboundPolicyOf(config: NotificationsConfig): OutboundPolicy {
  return {
    allowPrivate: config.OUTBOUND_ALLOW_PRIVATE,
    allowHosts: parseHostList(config.OUTBOUND_ALLOW_HOSTS),
  };
}

/**
 * Checks where a subscriber's URL leads: http(s) only, and never to an internal address (loopback,
 * private, link-local) unless OUTBOUND_ALLOW_HOSTS names its host or OUTBOUND_ALLOW_PRIVATE is on;
 * the link-local range with the metadata service only when the host is named. Checked again
 * before every delivery: a name can be re-pointed.
 */
export async function checkSubscriberUrl(url: string, policy: OutboundPolicy): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refused('url is not a URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw refused(`url must be http: or https:, not ${parsed.protocol}`);
  }
  if (parsed.username !== '' || parsed.password !== '') throw refused('url must not carry credentials');
  const host = parsed.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  const named = policy.allowHosts?.includes(host) === true;
  if (!named && isLinkLocal(host)) throw refused(`url reaches ${host}, a link-local (metadata) address`);
  try {
    const addresses = await checkOutboundUrl(url, policy);
    if (!named && addresses.some((a) => isLinkLocal(a) && isInternalAddress(a))) {
      throw refused(`url reaches a link-local (metadata) address`);
    }
  } catch (err) {
    if (err instanceof NotificationsException) throw err;
    throw refused(err instanceof Error ? err.message : String(err));
  }
}

function refused(message: string): NotificationsException {
  return new NotificationsException(NotificationsErrorCode.SubscriptionUrlRefused, message, [
    { field: 'url', message },
  ]);
}

@Injectable()
export class CreateSubscriptionUseCase {
  constructor(
    @InjectRepository(WebhookSubscriptionEntity)
    private readonly subscriptions: Repository<WebhookSubscriptionEntity>,
    @InjectConfig() private readonly config: NotificationsConfig,
  ) {}

  async execute(
    request: CreateSubscriptionRequestDto,
    createdBy: string,
  ): Promise<WebhookSubscriptionEntity> {
    await checkSubscriberUrl(request.url, outboundPolicyOf(this.config));
    if ((await this.subscriptions.count()) >= MAX_SUBSCRIPTIONS) {
      throw new NotificationsException(
        NotificationsErrorCode.SubscriptionLimitReached,
        `at most ${MAX_SUBSCRIPTIONS} subscriptions; delete one first`,
      );
    }
    const subscription = Object.assign(new WebhookSubscriptionEntity(), {
      id: randomUUID(),
      url: request.url,
      eventTypes: request.eventTypes,
      customerIds: (request.customerIds ?? []).map((id) => id.toLowerCase()),
      secret: request.secret ?? `whsec_${randomBytes(32).toString('base64url')}`,
      description: request.description ?? '',
      createdBy,
      createdAt: new Date(),
    });
    await this.subscriptions.insert(subscription);
    return subscription;
  }
}
