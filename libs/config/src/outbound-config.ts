import { bool, str } from './fields';

/**
 * Where a service may send requests to URLs it is configured with (webhooks): by default only
 * public addresses (checkOutboundUrl in @duemap/http). A local stack or a test with a receiver on
 * 127.0.0.1 allows it explicitly; a deployment whose receiver sits on a private network names it.
 */
export const outboundShape = {
  /** true: configured outbound URLs may reach loopback, private and link-local addresses. */
  OUTBOUND_ALLOW_PRIVATE: bool(false),
  /** Comma-separated host names or addresses allowed whatever they resolve to. */
  OUTBOUND_ALLOW_HOSTS: str({
    default: '',
    pattern: /^[A-Za-z0-9.:,[\] _-]*$/,
    hint: 'must be a comma-separated list of host names or addresses',
  }),
};
