import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { fieldError } from '../errors/purse-error.ts';

export const ENDPOINT_URL_LENGTH_MAX = 2048;

/** Loopback, private, link-local, carrier-grade NAT, unspecified and multicast ranges: never a customer's server. */
const REFUSED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) REFUSED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) REFUSED.addSubnet(net, prefix, 'ipv6');

/** Syntax only: an absolute http(s) URL without credentials. */
export function parseEndpointUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw fieldError('URL_INVALID', 'url', 'must be an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw fieldError('URL_INVALID', 'url', 'must use http or https');
  if (url.username !== '' || url.password !== '') throw fieldError('URL_INVALID', 'url', 'must not carry credentials');
  if (raw.length > ENDPOINT_URL_LENGTH_MAX) throw fieldError('URL_INVALID', 'url', `must be at most ${ENDPOINT_URL_LENGTH_MAX} characters`);
  return url;
}

export function isRefusedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6 && address.toLowerCase().startsWith('::ffff:')) return isRefusedAddress(address.slice('::ffff:'.length));
  return REFUSED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * SSRF guard for production: every address the host resolves to must be public. Checked when an endpoint
 * is saved and again before each delivery (a name may be re-pointed after it was accepted).
 * Returns a reason when refused, undefined when allowed.
 */
export async function refusedDestination(url: URL): Promise<string | undefined> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) !== 0 ? [host] : (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    return 'the host name does not resolve';
  }
  if (addresses.length === 0) return 'the host name does not resolve';
  return addresses.some(isRefusedAddress) ? 'the host resolves to a loopback, private or link-local address' : undefined;
}
