import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses a configured outbound URL (a webhook) must not reach unless allowed: the host itself,
 * the private networks behind it and the cloud metadata service (169.254.169.254), all of which a
 * URL an operator or a tenant types in could otherwise turn the service into a proxy for (SSRF).
 */
const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the host itself on Linux
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  INTERNAL.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  INTERNAL.addSubnet(network, prefix, 'ipv6');
}

/** The IPv4 address an IPv4-mapped or NAT64 IPv6 address carries (`::ffff:127.0.0.1`), if any. */
function embeddedIpv4(address: string): string | undefined {
  const match = /^(?:::ffff:|64:ff9b::)(?:0:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (match) {
    const high = parseInt(match[1] ?? '0', 16);
    const low = parseInt(match[2] ?? '0', 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  const dotted = /^(?:::ffff:|64:ff9b::)(?:0:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return dotted?.[1];
}

/** Whether an IP address is loopback, private, carrier-grade NAT, link-local or otherwise not public. */
export function isInternalAddress(address: string): boolean {
  const bare = address.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 4) return INTERNAL.check(bare, 'ipv4');
  if (family !== 6) return true; // not an address at all: refuse rather than guess
  const v4 = embeddedIpv4(bare);
  if (v4 !== undefined) return INTERNAL.check(v4, 'ipv4');
  return INTERNAL.check(bare, 'ipv6');
}

export interface OutboundPolicy {
  /** OUTBOUND_ALLOW_PRIVATE: let URLs reach internal addresses (a local stack, tests). */
  readonly allowPrivate?: boolean;
  /** OUTBOUND_ALLOW_HOSTS: host names or addresses allowed whatever they resolve to. */
  readonly allowHosts?: readonly string[];
  /** DNS resolution (all addresses); node's resolver by default. */
  readonly lookup?: (hostname: string) => Promise<readonly string[]>;
}

/** Why an outbound URL was refused. */
export class OutboundUrlError extends Error {
  constructor(
    readonly url: string,
    reason: string,
  ) {
    super(`outbound URL ${redactUrl(url)} refused: ${reason}`);
    this.name = 'OutboundUrlError';
  }
}

/** A URL as it may be shown: without credentials, query or fragment. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

async function resolveAll(hostname: string): Promise<readonly string[]> {
  const answers = await dnsLookup(hostname, { all: true, verbatim: true });
  return answers.map((answer) => answer.address);
}

/** `OUTBOUND_ALLOW_HOSTS` ("a.example.com, 10.0.0.5") as a list of lower-case hosts. */
export function parseHostList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((host) =>
      host
        .trim()
        .toLowerCase()
        .replace(/^\[(.*)\]$/, '$1'),
    )
    .filter((host) => host !== '');
}

/**
 * Refuses (OutboundUrlError) a URL that is not http(s), or whose host is, or resolves to, an
 * internal address (isInternalAddress) — every address it resolves to, so one public record next
 * to a private one does not pass. A host in `allowHosts`, or any host with `allowPrivate`, passes.
 * Returns the addresses checked (empty when allowed by configuration). Checked again before each
 * use: a name can be re-pointed after the check at boot.
 */
export async function checkOutboundUrl(url: string, policy: OutboundPolicy = {}): Promise<readonly string[]> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new OutboundUrlError(url, 'not a URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new OutboundUrlError(url, `${parsed.protocol} is not http: or https:`);
  }
  const hostname = parsed.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (policy.allowPrivate === true || policy.allowHosts?.includes(hostname)) return [];
  let addresses: readonly string[];
  if (isIP(hostname) !== 0) addresses = [hostname];
  else {
    try {
      addresses = await (policy.lookup ?? resolveAll)(hostname);
    } catch (err) {
      throw new OutboundUrlError(url, `${hostname} does not resolve (${(err as Error).message})`);
    }
    if (addresses.length === 0) throw new OutboundUrlError(url, `${hostname} does not resolve`);
  }
  const internal = addresses.find(isInternalAddress);
  if (internal !== undefined) {
    throw new OutboundUrlError(
      url,
      `${hostname} is ${internal === hostname ? 'an' : `${internal}, an`} internal address (loopback, private or link-local); ` +
        'set OUTBOUND_ALLOW_HOSTS or OUTBOUND_ALLOW_PRIVATE=true to allow it',
    );
  }
  return addresses;
}
