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

/**
 * Which addresses may receive webhooks (server-side request forgery, DESIGN §4): link-local ones
 * (cloud metadata services) and unroutable ones never; loopback and private networks only when
 * `allowPrivate` (ACQUAINT_WEBHOOKS_ALLOW_PRIVATE=true). IPv4-mapped IPv6 addresses are judged as
 * the IPv4 address they carry.
 */
export function refusedAddress(address: string, allowPrivate: boolean): AddressRefusal {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const ip = mapped ? mapped[1] : address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
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
