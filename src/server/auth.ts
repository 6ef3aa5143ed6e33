import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AuthenticationError } from '../errors.js';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Routes that need the key when one is set: every `/v1` path (unknown ones too, so a 404 tells
 * nothing without it) and `/metrics`. Metrics name the models and show the traffic, and a key is
 * set when the server is reachable by others; an "open on loopback" rule would instead open them
 * to everyone behind a local reverse proxy. Prometheus sends the key with `authorization` in its
 * scrape config. `/health` and `/ready` stay open for probes.
 */
const needsKey = (request: FastifyRequest): boolean => request.url.startsWith('/v1') || request.routeOptions.url === '/metrics';

/**
 * With an API key configured, those routes need `Authorization: Bearer <key>`. Keys are
 * compared as SHA-256 digests in constant time, so neither their content nor length leaks.
 */
export function installApiKeyAuth(app: FastifyInstance, apiKey: string | undefined): void {
  if (!apiKey) return;
  const expected = digest(apiKey);
  app.addHook('onRequest', async (request) => {
    if (!needsKey(request)) return;
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
    if (!match) {
      throw new AuthenticationError('Missing API key: send it as "Authorization: Bearer <key>".');
    }
    if (!timingSafeEqual(digest(match[1]!.trim()), expected)) {
      throw new AuthenticationError('Invalid API key: check the key the server was started with (--api-key or VOCABLE_API_KEY).');
    }
  });
}
