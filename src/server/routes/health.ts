import type { FastifyInstance } from 'fastify';

/** Liveness: answers as soon as the server listens, without auth. */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/health', async () => ({ status: 'ok' }));
}
