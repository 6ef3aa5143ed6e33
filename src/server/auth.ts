import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AuthenticationError } from '../errors.js';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * With an API key configured, every `/v1` route needs `Authorization: Bearer <key>`. Keys are
 * compared as SHA-256 digests in constant time, so neither their content nor length leaks.
 */
export function installApiKeyAuth(app: FastifyInstance, apiKey: string | undefined): void {
  if (!apiKey) return;
  const expected = digest(apiKey);
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/v1')) return;
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
