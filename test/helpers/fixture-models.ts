import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFixtureModels } from '../../fixtures/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURE_SOURCES = join(ROOT, 'fixtures');

async function sourceHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const name of (await readdir(FIXTURE_SOURCES)).sort()) {
    hash.update(name).update(await readFile(join(FIXTURE_SOURCES, name)));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The fixture model folders (made by fixtures/), cached under the git-ignored .fixtures/ and
 * rebuilt when the generator sources change. Returns the models directory.
 */
export async function fixtureModelsDir(): Promise<string> {
  const dir = join(ROOT, '.fixtures', `models-${await sourceHash()}`);
  try {
    await readFile(join(dir, '.complete'));
    return dir;
  } catch {
    const staging = `${dir}.${process.pid}.tmp`;
    await rm(staging, { recursive: true, force: true });
    await writeFixtureModels(staging);
    await writeFile(join(staging, '.complete'), '');
    await mkdir(dirname(dir), { recursive: true });
    await rename(staging, dir).catch(async () => rm(staging, { recursive: true, force: true }));
    return dir;
  }
}
