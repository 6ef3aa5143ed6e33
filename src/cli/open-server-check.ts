import { BlockList, isIP } from 'node:net';
import { ConfigError, envName, type Config } from '../config.js';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Whether `host` is reachable from this machine only. A host name other than localhost may resolve anywhere, so it counts as open. */
export function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  const address = host.replace(/^::ffff:/i, '');
  const family = isIP(address);
  return family !== 0 && LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Whether this configuration serves the network with no API key (accepted only with allowOpen). */
export const servesOpenNetwork = (config: Config): boolean => !isLoopbackHost(config.host) && config.apiKey === undefined;

/**
 * Refuses to serve the network with no API key unless the operator accepted that explicitly
 * (Redis's protected mode): anyone who can reach the port could otherwise clone voices with it.
 */
export function refuseOpenServer(config: Config): void {
  if (!servesOpenNetwork(config) || config.allowOpen) return;
  throw new ConfigError(
    [
      `refusing to listen on ${config.host} without an API key: anyone who can reach this machine could use the server, and clone voices with it.`,
      `Either set a key (--api-key <key> or ${envName('apiKey')}=<key>), which clients then send as "Authorization: Bearer <key>";`,
      `or, on a network you trust, accept an open server with --allow-open (${envName('allowOpen')}=1).`,
      `To serve this machine only, leave --host at its default, 127.0.0.1.`,
    ].join('\n'),
  );
}
