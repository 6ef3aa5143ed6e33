import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { PUBLIC_ROUTE } from '../auth.js';
import { bundlePlayground, PLAYGROUND_ASSET_PATH, readPlaygroundBundle } from '../playground-bundle.js';

/**
 * The page: in an installed package, the bundle `npm run build` wrote (dist/playground/); run
 * from the sources, src/playground/ itself, bundled on first use.
 */
const PLAYGROUND_DIR = fileURLToPath(new URL('../../playground/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The page talks only to this server: audio plays from blob: URLs made of its answers. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  type: string;
  body: Buffer;
}

interface Playground {
  page: string;
  /** By file name; each name carries a hash of its content, so browsers may keep it forever. */
  assets: Map<string, Asset>;
}

/** The pre-built bundle when there is one, else a fresh bundle of the sources. */
async function buildPlayground(): Promise<Playground> {
  const { page, assets } = (await readPlaygroundBundle(PLAYGROUND_DIR)) ?? (await bundlePlayground(PLAYGROUND_DIR));
  return { page, assets: new Map(assets.map(({ name, body }) => [name, { type: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream', body }])) };
}

/** Built on the first request and kept; a failed build is tried again on the next. */
let playground: Promise<Playground> | undefined;

function loadPlayground(): Promise<Playground> {
  playground ??= buildPlayground().catch((error: unknown) => {
    playground = undefined;
    throw error;
  });
  return playground;
}

/**
 * The playground at `/`: a page for trying the server in a browser, and its assets under
 * `/playground/`. Outside `/v1`, so it stays open when an API key is set; the page asks for the key.
 */
export default async function playgroundRoutes(app: FastifyInstance): Promise<void> {
  app.get('/', PUBLIC_ROUTE, async (_request, reply) => {
    const { page } = await loadPlayground();
    return reply
      .type('text/html; charset=utf-8')
      .header('Cache-Control', 'no-cache')
      .header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
      .header('X-Content-Type-Options', 'nosniff')
      .send(page);
  });

  app.get<{ Params: { file: string } }>(`${PLAYGROUND_ASSET_PATH}:file`, PUBLIC_ROUTE, async (request, reply) => {
    const asset = (await loadPlayground()).assets.get(request.params.file);
    if (!asset) {
      reply.callNotFound();
      return reply;
    }
    return reply
      .type(asset.type)
      .header('Cache-Control', 'public, max-age=31536000, immutable')
      .header('X-Content-Type-Options', 'nosniff')
      .send(asset.body);
  });
}
