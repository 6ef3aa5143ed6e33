/**
 * `npm run build` (and `prepare`, so `npm ci` and `npm pack` run it): the server and CLI compiled
 * to dist/ by tsc, the files they load that are not TypeScript (such as the worker entry; not the READMEs) copied
 * beside them, and the playground bundled into dist/playground/, so nothing at run time needs tsx
 * or esbuild.
 */
import { execFile } from 'node:child_process';
import { chmod, cp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { bundlePlayground, writePlaygroundBundle } from '../src/server/playground-bundle.js';

const ROOT = join(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');
const DIST = join(ROOT, 'dist');
const PLAYGROUND = join(SRC, 'playground');

await rm(DIST, { recursive: true, force: true });
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
await promisify(execFile)(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT }).catch((error: { stdout?: string; message: string }) => {
  throw new Error(`tsc failed:\n${error.stdout || error.message}`);
});
// The bin: executable, so `npx vocable` runs it in the project folder as an install would.
await chmod(join(DIST, 'cli', 'main.js'), 0o755);
await cp(SRC, DIST, { recursive: true, filter: (path) => path !== PLAYGROUND && !/\.(ts|md)$/.test(path) });
await writePlaygroundBundle(await bundlePlayground(PLAYGROUND), join(DIST, 'playground'));
