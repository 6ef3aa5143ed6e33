/**
 * `npm run build` (and `prepare`, so `npm ci` and `npm pack` run it): the server and CLI compiled
 * to dist/ by tsc, and the playground bundled into dist/playground/, so nothing at run time needs
 * tsx or esbuild.
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { bundlePlayground, writePlaygroundBundle } from '../src/server/playground-bundle.js';

const ROOT = join(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist');

await rm(DIST, { recursive: true, force: true });
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
await promisify(execFile)(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT }).catch((error: { stdout?: string; message: string }) => {
  throw new Error(`tsc failed:\n${error.stdout || error.message}`);
});
await writePlaygroundBundle(await bundlePlayground(join(ROOT, 'src', 'playground')), join(DIST, 'playground'));
