import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** The names express's `trust proxy` accepts and the ranges it reads them as (proxy-addr's own table). */
const NAMED_RANGES: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** The widest ranges that may be trusted without `server.allowBroadTrustedProxies`. */
export const WIDEST_TRUSTED_PREFIX = { ipv4: 16, ipv6: 48 } as const;

const IPV4_MAPPED = ipaddr.parse('::ffff:0:0') as ipaddr.IPv6;
const LOOPBACK_V4: [ipaddr.IPv4, number] = [ipaddr.IPv4.parse('127.0.0.0'), 8];

interface ProxyRange {
  readonly address: Address;
  readonly prefixLength: number;
}

/**
 * The ranges one `server.trustedProxies` entry stands for, as express (proxy-addr) reads it: an address,
 * address/prefix, IPv4 address/netmask, or a name. Null for an entry express would refuse at start.
 */
export function proxyRanges(entry: string): ProxyRange[] | null {
  const named = NAMED_RANGES[entry];
  if (named !== undefined) return named.map((range) => proxyRanges(range)?.[0] as ProxyRange);
  const [text = '', bits, ...rest] = entry.split('/');
  const version = isIP(text);
  if (version === 0 || rest.length > 0) return null;
  const address = ipaddr.parse(text);
  const size = version === 4 ? 32 : 128;
  let prefixLength: number | null = size;
  if (bits !== undefined) {
    if (/^\d{1,3}$/.test(bits)) prefixLength = Number(bits);
    else prefixLength = version === 4 && isIP(bits) === 4 ? ipaddr.IPv4.parse(bits).prefixLengthFromSubnetMask() : null;
  }
  // proxy-addr refuses a /0 and a netmask that is not a run of ones.
  if (prefixLength === null || prefixLength < 1 || prefixLength > size) return null;
  return [{ address, prefixLength }];
}

/**
 * Whether every host in the range could pass for a proxy and so name any client address it likes:
 * wider than /16 (IPv4) or /48 (IPv6). Loopback is only this host. An IPv6 range covering IPv4-mapped
 * addresses (::ffff:0:0/96) counts with its IPv4 width, because express matches IPv4 clients against it.
 */
export function isTooBroad({ address, prefixLength }: ProxyRange): boolean {
  if (address.kind() === 'ipv4') {
    const v4 = address as ipaddr.IPv4;
    return prefixLength < WIDEST_TRUSTED_PREFIX.ipv4 && !(prefixLength >= LOOPBACK_V4[1] && v4.match(LOOPBACK_V4));
  }
  const v6 = address as ipaddr.IPv6;
  if (prefixLength >= 96 && v6.isIPv4MappedAddress()) {
    return isTooBroad({ address: v6.toIPv4Address(), prefixLength: prefixLength - 96 });
  }
  if (prefixLength <= 96 && IPV4_MAPPED.match(v6, prefixLength)) return true;
  return prefixLength < WIDEST_TRUSTED_PREFIX.ipv6;
}
