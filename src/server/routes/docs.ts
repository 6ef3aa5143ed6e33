import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { PUBLIC_ROUTE } from '../auth.js';
import { apiDocument, type ApiDocumentOptions } from '../openapi/document.js';
import { renderDocsPage } from '../openapi/render-docs.js';

/** package.json sits three folders up from this file in the sources and in the built package alike. */
const { version } = createRequire(import.meta.url)('../../../package.json') as { version: string };

/** `GET /openapi.json`, the API as OpenAPI 3.1, and `GET /docs`, the same as a page; open like the playground. */
export function docsRoutes(options: Omit<ApiDocumentOptions, 'version'>) {
  return async (app: FastifyInstance): Promise<void> => {
    const document = apiDocument({ ...options, version });
    const page = renderDocsPage(document);
    app.get('/openapi.json', PUBLIC_ROUTE, async () => document);
    app.get('/docs', PUBLIC_ROUTE, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').header('Content-Security-Policy', page.contentSecurityPolicy).header('X-Content-Type-Options', 'nosniff').send(page.html),
    );
  };
}
