import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { hostPortOf } from './endpoint-url';

/** Addresses a webhook may not reach unless its host is listed: loopback, private, link-local, CGNAT, unspecified, multicast. */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE.check(mapped[1], 'ipv4');
  const family = isIP(address);
  if (family === 0) return true; // not an address: never connect to it
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Why a delivery to this endpoint is refused without being sent (no retry: settings decide, not luck). */
export class RefusedHostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedHostError';
  }
}

/**
 * The host policy of deliveries. With WEBHOOK_ALLOWED_HOSTS set, only the listed hosts (`host`
 * or `host:port`) are reached, and they may resolve to private addresses; with it empty, any host
 * whose every resolved address is public. Checked on the address the connection is made to (the
 * `lookup` of the socket), so a name that resolves to 127.0.0.1, or changes its answer between
 * two lookups, is caught where it matters.
 */
export class AddressPolicy {
  constructor(
    private readonly allowedHosts: string[],
    private readonly resolve: typeof dnsLookup = dnsLookup,
  ) {}

  /** Throws RefusedHostError when the URL's host is not allowed by name; returns whether private addresses are allowed for it. */
  checkHost(url: URL): { privateAllowed: boolean } {
    if (this.allowedHosts.length === 0) return { privateAllowed: false };
    const { host, hostPort } = hostPortOf(url);
    const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    const listed = [host, hostPort, bracketed, `${bracketed}:${hostPort.split(':').pop()}`].some((h) => this.allowedHosts.includes(h));
    if (!listed) throw new RefusedHostError(`${hostPort} is not in WEBHOOK_ALLOWED_HOSTS`);
    return { privateAllowed: true };
  }

  /** A `lookup` for net.connect / undici that refuses private addresses unless `privateAllowed`. */
  lookup(privateAllowed: boolean) {
    return (
      hostname: string,
      options: object,
      callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
    ) => {
      this.resolve(hostname, { ...options, all: true }, (err, addresses) => {
        if (err) return callback(err, '', 0);
        const list = addresses as LookupAddress[];
        const refused = privateAllowed ? undefined : list.find((a) => isPrivateAddress(a.address));
        if (refused) return callback(new RefusedHostError(`${hostname} resolves to ${refused.address}, a loopback/private address`), '', 0);
        if ((options as { all?: boolean }).all) return callback(null, list);
        callback(null, list[0].address, list[0].family);
      });
    };
  }
}
