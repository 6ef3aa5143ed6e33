import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';

/** The page with its asset URLs filled in, and the assets under names that carry a hash of their content. */
export interface PlaygroundBundle {
  page: string;
  assets: { name: string; body: Buffer }[];
}

/** Where the page links its assets from; the route serves them there. */
export const PLAYGROUND_ASSET_PATH = '/playground/';

/** Written beside a pre-built bundle: which file is the page, which are assets. */
const MANIFEST = 'bundle.json';

function hashedName(name: string, body: Uint8Array): string {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const extension = extname(name);
  return `${name.slice(0, -extension.length)}.${hash}${extension}`;
}

/**
 * Bundles the page's sources (index.html, main.ts and what it imports, style.css, favicon.svg)
 * with esbuild, in memory. esbuild is a build tool: it is loaded only here, which an installed
 * package never reaches (it serves the bundle `npm run build` wrote).
 */
export async function bundlePlayground(sources: string): Promise<PlaygroundBundle> {
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: sources,
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
    { name: 'favicon.svg', body: await readFile(join(sources, 'favicon.svg')) },
  ];
  const urls = new Map<string, string>();
  const assets = files.map(({ name, body }) => {
    const hashed = hashedName(name, body);
    urls.set(name, PLAYGROUND_ASSET_PATH + hashed);
    return { name: hashed, body };
  });
  const template = await readFile(join(sources, 'index.html'), 'utf8');
  const page = template.replace(/\{\{([\w.-]+)\}\}/g, (_, name: string) => {
    const url = urls.get(name);
    if (!url) throw new Error(`src/playground/index.html names an asset the bundle has not made: ${name}`);
    return url;
  });
  return { page, assets };
}

export async function writePlaygroundBundle(bundle: PlaygroundBundle, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'index.html'), bundle.page);
  for (const asset of bundle.assets) await writeFile(join(dir, asset.name), asset.body);
  await writeFile(join(dir, MANIFEST), `${JSON.stringify({ page: 'index.html', assets: bundle.assets.map((a) => a.name) }, null, 2)}\n`);
}

/** The bundle `writePlaygroundBundle` left in `dir`, or undefined when `dir` holds the sources instead. */
export async function readPlaygroundBundle(dir: string): Promise<PlaygroundBundle | undefined> {
  const manifest = await readFile(join(dir, MANIFEST), 'utf8').catch(() => undefined);
  if (manifest === undefined) return undefined;
  const { page, assets } = JSON.parse(manifest) as { page: string; assets: string[] };
  return {
    page: await readFile(join(dir, page), 'utf8'),
    assets: await Promise.all(assets.map(async (name) => ({ name, body: await readFile(join(dir, name)) }))),
  };
}
