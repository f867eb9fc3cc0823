import { isIP } from 'node:net';

/**
 * True when `host` (a listen address, `HOST`) accepts connections from this machine only:
 * `localhost`, 127.0.0.0/8, `::1` and their IPv4-mapped forms. `0.0.0.0`, `::`, a LAN address
 * or any other name is "beyond loopback". Names other than `localhost` count as remote: what
 * they resolve to may change.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}
