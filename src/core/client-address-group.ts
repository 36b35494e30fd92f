/**
 * The key the brute-force protection counts a client address under. An IPv6 host usually holds a whole /64
 * and can pick any address in it, so IPv6 addresses are grouped by their /64; an IPv4 address seen through
 * an IPv6 socket (`::ffff:10.0.0.1`) is the IPv4 address.
 */
export function clientAddressGroup(clientIp: string): string {
  if (clientIp === '') return 'unknown';
  const address = clientIp.toLowerCase();
  if (!address.includes(':')) return address;
  const groups = ipv6Groups(address);
  if (groups === null) return address;
  if (isIpv4Mapped(groups)) return ipv4FromGroups(groups[6] as number, groups[7] as number);
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

const MAX_GROUP = 0xffff;

/** The eight 16-bit groups of an IPv6 address (with an optional dotted IPv4 tail), or null when it is not one. */
function ipv6Groups(address: string): number[] | null {
  const zoneless = address.split('%', 1)[0] as string;
  const halves = zoneless.split('::');
  if (halves.length > 2) return null;
  const head = parseGroups(halves[0] as string);
  const tail = halves.length === 2 ? parseGroups(halves[1] as string) : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  return [...head, ...Array<number>(Math.max(0, missing)).fill(0), ...tail];
}

function parseGroups(text: string): number[] | null {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: number[] = [];
  for (const [index, part] of parts.entries()) {
    if (index === parts.length - 1 && part.includes('.')) {
      const ipv4 = parseIpv4(part);
      if (ipv4 === null) return null;
      groups.push(ipv4[0] * 256 + ipv4[1], ipv4[2] * 256 + ipv4[3]);
    } else {
      if (part.length < 1 || part.length > 4 || ![...part].every(isHexDigit)) return null;
      const group = Number.parseInt(part, 16);
      if (group > MAX_GROUP) return null;
      groups.push(group);
    }
  }
  return groups;
}

function parseIpv4(text: string): [number, number, number, number] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const octets = parts.map((part) => (/^[0-9]{1,3}$/.test(part) ? Number(part) : Number.NaN));
  return octets.every((octet) => octet >= 0 && octet <= 255) ? (octets as [number, number, number, number]) : null;
}

function isHexDigit(character: string): boolean {
  return (character >= '0' && character <= '9') || (character >= 'a' && character <= 'f');
}

function isIpv4Mapped(groups: readonly number[]): boolean {
  return groups.slice(0, 5).every((group) => group === 0) && groups[5] === MAX_GROUP;
}

function ipv4FromGroups(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}
