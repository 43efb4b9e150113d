import { BlockList, isIP } from 'node:net';

/** Why an address may not receive webhooks, or null when it may. */
export type AddressRefusal = 'link-local' | 'loopback' | 'private' | 'reserved' | null;

const linkLocal = new BlockList();
linkLocal.addSubnet('169.254.0.0', 16, 'ipv4');
linkLocal.addSubnet('fe80::', 10, 'ipv6');

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

const privateNets = new BlockList();
for (const [net, bits] of [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['100.64.0.0', 10],
] as const)
  privateNets.addSubnet(net, bits, 'ipv4');
privateNets.addSubnet('fc00::', 7, 'ipv6');

const reserved = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  reserved.addSubnet(net, bits, 'ipv4');
reserved.addAddress('::', 'ipv6');
reserved.addSubnet('ff00::', 8, 'ipv6');

privateNets.addSubnet('fec0::', 10, 'ipv6'); // site-local, deprecated but routable on some networks

/** The 16-bit groups of an IPv6 address (a dotted IPv4 tail counts as two), or null. */
function ipv6Groups(ip: string): number[] | null {
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  let text = ip;
  if (dotted) {
    const b = dotted[1].split('.').map(Number);
    text = `${ip.slice(0, -dotted[1].length)}${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const parse = (part: string | undefined) =>
    part ? part.split(':').map((g) => Number.parseInt(g, 16)) : [];
  const left = parse(head);
  const right = parse(tail);
  const groups =
    tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : null;
}

/**
 * The IPv4 address an IPv6 one carries and reaches: IPv4-mapped (`::ffff:a.b.c.d`, any spelling),
 * IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::/96`, `64:ff9b:1::/48`) and 6to4 (`2002::/16`);
 * else null.
 */
function embeddedIpv4(ip: string): string | null {
  if (isIP(ip) !== 6) return null;
  const g = ipv6Groups(ip);
  if (!g) return null;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return v4(g[6], g[7]);
  if (zeros(0, 6) && (g[6] !== 0 || g[7] > 1)) return v4(g[6], g[7]);
  if (g[0] === 0x64 && g[1] === 0xff9b && (zeros(2, 6) || g[2] === 1)) return v4(g[6], g[7]);
  if (g[0] === 0x2002) return v4(g[1], g[2]);
  return null;
}

/**
 * Which addresses may receive webhooks (server-side request forgery, DESIGN §4): link-local ones
 * (cloud metadata services) and unroutable ones never; loopback and private networks only when
 * `allowPrivate` (ACQUAINT_WEBHOOKS_ALLOW_PRIVATE=true). IPv6 addresses that carry an IPv4 one
 * (mapped, compatible, NAT64, 6to4) are judged as the IPv4 address they reach.
 */
export function refusedAddress(address: string, allowPrivate: boolean): AddressRefusal {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const ip = embeddedIpv4(bare) ?? bare;
  const family = isIP(ip);
  if (family === 0) return 'reserved';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (linkLocal.check(ip, type)) return 'link-local';
  if (reserved.check(ip, type)) return 'reserved';
  if (allowPrivate) return null;
  if (loopback.check(ip, type)) return 'loopback';
  if (privateNets.check(ip, type)) return 'private';
  return null;
}

/** A sentence for the delivery log or a 400 answer. */
export function describeRefusal(address: string, refusal: Exclude<AddressRefusal, null>): string {
  const why = {
    'link-local': 'a link-local address (cloud metadata services live there), never allowed',
    loopback: 'a loopback address, allowed only with ACQUAINT_WEBHOOKS_ALLOW_PRIVATE=true',
    private: 'a private network address, allowed only with ACQUAINT_WEBHOOKS_ALLOW_PRIVATE=true',
    reserved: 'an unroutable or multicast address',
  }[refusal];
  return `${address} is ${why}`;
}
