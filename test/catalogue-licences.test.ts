/**
 * Catalogue licences: each entry's licence as its archive states it, whether it allows
 * commercial use, shown in GET /v1/catalogue, `vocable models` and the README table.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_MODEL_IDS } from '../src/catalogue/catalogue.js';
import { KNOWN_MODELS } from '../src/catalogue/known-models.js';
import { testApp } from './helpers/app.js';
import { ROOT, runCli } from './helpers/cli.js';

const pocket = KNOWN_MODELS.find((e) => e.id === 'pocket-tts-int8')!;

test('Pocket TTS is marked non-commercial, as its archive\'s README says; the other defaults are MIT', () => {
  assert.equal(pocket.commercialUse, false);
  assert.match(pocket.licence, /non-commercial/i);
  for (const id of DEFAULT_MODEL_IDS.filter((d) => d !== pocket.id)) {
    const entry = KNOWN_MODELS.find((e) => e.id === id)!;
    assert.equal(entry.commercialUse, true, id);
    assert.match(entry.licence, /^MIT/, id);
  }
});

test('GET /v1/catalogue gives each entry\'s licence and commercial_use', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vocable-licences-'));
  const { app } = await testApp(dir);
  try {
    const body = (await app.inject({ method: 'GET', url: '/v1/catalogue' })).json<{ data: { id: string; licence: string; commercial_use: boolean | null }[] }>();
    const byId = Object.fromEntries(body.data.map((e) => [e.id, e]));
    assert.equal(byId['pocket-tts-int8']!.commercial_use, false);
    assert.match(byId['pocket-tts-int8']!.licence, /non-commercial/i);
    assert.equal(byId['whisper-tiny']!.commercial_use, true);
    assert.equal(byId['sensevoice-int8']!.commercial_use, null, 'terms to read: neither yes nor no');
    for (const entry of body.data) assert.ok(entry.licence.length > 2, entry.id);
  } finally {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('vocable models shows whether each model may be used commercially', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vocable-licences-'));
  try {
    const run = await runCli(['models', '--json', '--models-dir', dir]);
    assert.equal(run.code, 0, run.stderr);
    const rows = JSON.parse(run.stdout) as { id: string; commercial: string; licence: string }[];
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    assert.equal(byId['pocket-tts-int8']!.commercial, 'no (non-commercial only)');
    assert.equal(byId['pocket-tts-int8']!.licence, pocket.licence);
    assert.equal(byId['kokoro-int8-multi-lang-v1_0']!.commercial, 'yes');
    assert.equal(byId['sensevoice-int8']!.commercial, 'read the licence');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the README\'s catalogue table lists every entry with its commercial use, and names the non-commercial default', async () => {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const rows = readme.split('\n').filter((line) => /^\| `[a-z0-9]/.test(line) && line.split('|').length >= 8);
  const said = { true: 'yes', false: '**no**', undefined: 'read the licence' } as const;
  for (const entry of KNOWN_MODELS) {
    const row = rows.find((r) => r.includes(`\`${entry.id}\``) || (entry.id.endsWith('-v3-int8') && r.includes('`…-v3-int8`')));
    assert.ok(row, `README lists ${entry.id}`);
    assert.equal(row.split('|').at(-2)!.trim(), said[String(entry.commercialUse) as keyof typeof said], entry.id);
  }
  assert.match(readme, /Not for commercial use: the default voice model, `pocket-tts-int8`/);
});
