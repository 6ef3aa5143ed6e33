import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { FastifyInstance } from 'fastify';
import { PUBLIC_ROUTE } from '../auth.js';

/** The page's sources: index.html, main.ts and the modules it imports, style.css, favicon.svg. */
const SOURCES = fileURLToPath(new URL('../../playground/', import.meta.url));
const ASSET_PATH = '/playground/';

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

function hashedName(name: string, body: Uint8Array): string {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const extension = extname(name);
  return `${name.slice(0, -extension.length)}.${hash}${extension}`;
}

/** Bundles the script and stylesheet with esbuild in memory and points index.html at them. */
async function buildPlayground(): Promise<Playground> {
  const result = await build({
    absWorkingDir: SOURCES,
    entryPoints: { app: 'main.ts', style: 'style.css' },
    tsconfig: 'tsconfig.json',
    bundle: true,
    write: false,
    outdir: 'dist',
    format: 'esm',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const files = [
    ...result.outputFiles.map((file) => ({ name: basename(file.path), body: Buffer.from(file.contents) })),
    { name: 'favicon.svg', body: await readFile(join(SOURCES, 'favicon.svg')) },
  ];
  const assets = new Map<string, Asset>();
  const urls = new Map<string, string>();
  for (const { name, body } of files) {
    const hashed = hashedName(name, body);
    assets.set(hashed, { type: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream', body });
    urls.set(name, ASSET_PATH + hashed);
  }
  const template = await readFile(join(SOURCES, 'index.html'), 'utf8');
  const page = template.replace(/\{\{([\w.-]+)\}\}/g, (_, name: string) => {
    const url = urls.get(name);
    if (!url) throw new Error(`src/playground/index.html names an asset the bundle has not made: ${name}`);
    return url;
  });
  return { page, assets };
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

  app.get<{ Params: { file: string } }>(`${ASSET_PATH}:file`, PUBLIC_ROUTE, async (request, reply) => {
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
