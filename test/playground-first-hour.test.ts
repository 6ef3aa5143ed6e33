/**
 * The playground's first hour (issue 16), in Debian's Chromium driven by playwright-core against
 * a listening server on the fixture models: results cleared per request, errors beside their
 * buttons, the reference clip rule, saved voices, the catalogue's pulls, streamed transcription,
 * the API-key dialog after Cancel, and a 390 px phone.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { FIXTURE_MODELS } from '../fixtures/index.js';
import { decodeAudio } from '../src/audio/decode.js';
import { encodeWav } from '../src/audio/wav.js';
import { Catalogue } from '../src/catalogue/catalogue.js';
import type { Config } from '../src/config.js';
import type { AppOptions } from '../src/server/app.js';
import { testApp } from './helpers/app.js';
import { makeModelArchive, startArchiveServer, type ArchiveServer } from './helpers/archive-server.js';
import { sharedClip, SHARED_AUDIO } from './helpers/audio.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCREENSHOTS = join(ROOT, 'test-results', 'playground');
const CHROMIUM = '/usr/bin/chromium';
const API_KEY = 'sk-first-hour';
const WAIT_MS = 30_000;

let browser: Browser;
let clips: string;
const servers: FastifyInstance[] = [];

async function serve(overrides: Partial<Config> = {}, options: AppOptions = {}, modelsDir?: string): Promise<string> {
  const { app } = await testApp(modelsDir ?? (await fixtureModelsDir()), overrides, options);
  servers.push(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

async function openPage(url: string, width = 1360): Promise<{ context: BrowserContext; page: Page; pageErrors: Error[] }> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const pageErrors: Error[] = [];
  page.on('pageerror', (error) => pageErrors.push(error));
  await page.goto(url);
  return { context, page, pageErrors };
}

/** A WAV of real speech clips one after another, `repeat` times over, written for the file picker. */
async function speechFile(name: string, parts: string[], repeat = 1): Promise<string> {
  const pieces = await Promise.all(parts.map(async (part) => (await decodeAudio(sharedClip(part))).samples));
  const all = Array.from({ length: repeat }, () => pieces).flat();
  const samples = new Float32Array(all.reduce((n, p) => n + p.length, 0));
  all.reduce((at, piece) => (samples.set(piece, at), at + piece.length), 0);
  const file = join(clips, name);
  await writeFile(file, encodeWav({ samples, sampleRate: 16000 }));
  return file;
}

/** The vertical gap, in pixels, between an element and a button. */
async function gapBetween(page: Page, a: string, b: string): Promise<number> {
  const [first, second] = await Promise.all([page.locator(a).boundingBox(), page.locator(b).boundingBox()]);
  assert.ok(first && second, `${a} and ${b} are on the page`);
  return Math.max(0, Math.max(first.y, second.y) - Math.min(first.y + first.height, second.y + second.height));
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (npm test runs scripts/ensure-test-deps.sh, which does)`);
  await mkdir(SCREENSHOTS, { recursive: true });
  clips = await mkdtemp(join(tmpdir(), 'vocable-first-hour-'));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await Promise.all(servers.map((app) => app.close()));
});

describe('the playground on the fixture models', () => {
  let session: Awaited<ReturnType<typeof openPage>>;
  const clone = () => session.page.locator('#clone');

  before(async () => {
    session = await openPage(await serve());
    await session.page.locator('#speak-model option').first().waitFor({ state: 'attached' });
  });
  after(() => session.context.close());

  test('a new request clears the previous result: a failed Speak leaves no earlier audio behind', async () => {
    const { page } = session;
    const speak = page.locator('#speak');
    await speak.getByLabel('Model').selectOption('kokoro');
    await speak.getByRole('button', { name: 'Speak', exact: true }).click();
    await page.locator('#speak-audio').and(page.locator(':not([hidden])')).waitFor();
    await page.route('**/v1/audio/speech', (route) =>
      route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { message: 'The model is busy; try again.', type: 'server_error', param: null, code: 'queue_full' } }) }),
    );
    try {
      await speak.getByRole('button', { name: 'Speak', exact: true }).click();
      await page.locator('#speak-error').filter({ hasText: 'The model is busy' }).waitFor();
      assert.equal(await page.locator('#speak-audio').isHidden(), true, 'the earlier audio is gone');
      assert.equal(await page.locator('#speak-download').isHidden(), true, 'and so is its download link');
      assert.ok((await gapBetween(page, '#speak-error', '#speak-submit')) < 80, 'the error is beside the Speak button');
    } finally {
      await page.unroute('**/v1/audio/speech');
    }
  });

  test('the reference clip rule is shown when a clip is chosen; a clip outside it is refused before Speak, a longer one is trimmed and the page says so', async () => {
    const { page } = session;
    await clone().getByLabel('Cloning model').selectOption('pocket');
    await page.locator('#clone-clip-rule').filter({ hasText: 'pocket takes clips of 1–120 s and uses 10 s of speech' }).waitFor();
    await clone().getByLabel('Cloning model').selectOption('zipvoice');
    await page.locator('#clone-clip-rule').filter({ hasText: 'zipvoice takes clips of 1–20 s of speech' }).waitFor();

    await clone().getByLabel('Cloning model').selectOption('pocket');
    await clone().getByLabel(/choose a file/).setInputFiles(await speechFile('long.wav', ['jfk.wav'], 12));
    await page.locator('#clone-clip-rule.refused').filter({ hasText: /This clip is 132\.0 s: pocket takes clips of at most 120 s/ }).waitFor();
    let sent = 0;
    const count = () => (sent += 1);
    page.on('request', (request) => request.url().endsWith('/v1/audio/speech') && count());
    await clone().getByRole('button', { name: 'Speak with this clip' }).click();
    await page.locator('#clone-speak-error').filter({ hasText: /at most 120 s/ }).waitFor();
    assert.equal(sent, 0, 'nothing was sent');
    assert.ok((await gapBetween(page, '#clone-speak-error', '#clone-speak')) < 80, 'the error is beside Speak with this clip');

    await clone().getByLabel(/choose a file/).setInputFiles(await speechFile('fifteen.wav', ['jfk.wav', 'spk1_snt1.wav', 'spk1_snt2.wav']));
    await page.locator('#clone-clip-rule.warning').filter({ hasText: /This clip is 17\.0 s: pocket will use its best 10 s of speech/ }).waitFor();
    await clone().getByRole('button', { name: 'Speak with this clip' }).click();
    await page.locator('#clone-status').filter({ hasText: /trimmed to its best stretch of speech \(17\.0s->\d+\.\ds\)/ }).waitFor();
    assert.equal(await page.locator('#clone-speak-error').textContent(), '');
    assert.equal(sent, 1);
  });

  test('each error appears beside the button that caused it: Save voice refusals stay by Save voice', async () => {
    const { page } = session;
    await clone().getByLabel(/choose a file/).setInputFiles(join(SHARED_AUDIO, 'spk1_snt1.wav'));
    await clone().getByLabel('Save the clip as').fill('af_heart');
    await clone().getByRole('button', { name: 'Save voice' }).click();
    await page.locator('#clone-save-error').filter({ hasText: /preset voice of model 'kokoro'/ }).waitFor();
    assert.equal(await page.locator('#clone-speak-error').textContent(), '', 'nothing by the Speak button');
    assert.ok((await gapBetween(page, '#clone-save-error', '#clone-save')) < 80, 'the error is beside Save voice');
  });

  test('saved voices: listed, played, renamed, transcript fixed, deleted; a taken name says how to delete it without routes for the browser', async () => {
    const { page, pageErrors } = session;
    await clone().getByLabel(/choose a file/).setInputFiles(join(SHARED_AUDIO, 'spk1_snt2.wav'));
    await clone().getByLabel('Save the clip as').fill('first-voice');
    await clone().getByRole('button', { name: 'Save voice' }).click();
    await page.locator('#clone-status').filter({ hasText: 'Saved “first-voice”' }).waitFor();
    await clone().getByRole('button', { name: 'Save voice' }).click();
    await page.locator('#clone-save-error').filter({ hasText: /delete it first \(vocable voices rm first-voice, or DELETE \/v1\/voices\/first-voice\)/ }).waitFor();

    const voices = page.locator('#voices');
    const item = (name: string) => voices.locator(`li[data-voice="${name}"]`);
    await item('first-voice').waitFor();

    await voices.getByRole('button', { name: 'Play first-voice' }).click();
    const duration = await page.waitForFunction(() => {
      const audio = document.querySelector<HTMLAudioElement>('#voices li[data-voice="first-voice"] audio');
      return audio && !audio.hidden && Number.isFinite(audio.duration) && audio.duration > 0 ? audio.duration : false;
    });
    assert.ok(Math.abs(Number(await duration.jsonValue()) - 3.15) < 0.3, 'the saved clip plays');

    await item('first-voice').getByLabel('Name').fill('kept-voice');
    await item('first-voice').getByLabel('Transcript').fill('The words, corrected.');
    await voices.getByRole('button', { name: 'Save changes to first-voice' }).click();
    await item('kept-voice').waitFor();
    assert.equal(await item('first-voice').count(), 0, 'the old name is gone');
    const saved = await page.evaluate(async () => (await (await fetch('/v1/voices/kept-voice')).json()) as { transcript: string });
    assert.equal(saved.transcript, 'The words, corrected.');
    await page.locator('#speak').getByLabel('Model').selectOption('pocket');
    assert.ok((await page.locator('#speak-voice option').allTextContents()).includes('kept-voice'), 'Speak offers the new name');

    await item('kept-voice').getByLabel('Name').fill('af_heart');
    await voices.getByRole('button', { name: 'Save changes to kept-voice' }).click();
    await item('kept-voice').locator('.error').filter({ hasText: /preset voice/ }).waitFor();

    page.once('dialog', (dialog) => void dialog.accept());
    await voices.getByRole('button', { name: 'Delete kept-voice' }).click();
    await item('kept-voice').waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(async () => (await fetch('/v1/voices/kept-voice')).status), 404);
    assert.deepEqual(pageErrors, []);
  });

  test('a transcription streams its segments as they are recognised, with progress', async () => {
    const { page } = session;
    const transcribe = page.locator('#transcribe');
    await transcribe.getByLabel('Model').selectOption('sensevoice');
    // The clone panel may still be transcribing its clip (one JSON answer): wait for this panel's stream.
    const streamed = page.waitForResponse((response) => response.url().endsWith('/v1/audio/transcriptions') && response.headers()['content-type'] === 'text/event-stream');
    await transcribe.getByLabel(/choose a file/).setInputFiles(await speechFile('talk.wav', ['spk1_snt1.wav', 'spk2_snt1.wav', 'jfk.wav']));
    await streamed;
    await page.locator('#transcribe-status').filter({ hasText: /Transcribed 15\.9 s of audio/ }).waitFor();
    assert.ok((await page.locator('#transcript-segments li').count()) >= 1);
    assert.equal(await page.locator('#transcribe-progress').isHidden(), true, 'the progress bar goes once done');

    // A stream that fails after two segments: both are on the page already, with how far it got.
    const events = [
      { type: 'transcript.text.delta', delta: 'First part.', start: 0, end: 4 },
      { type: 'transcript.text.delta', delta: ' Second part.', start: 4.5, end: 8 },
      { type: 'error', error: { message: 'The model failed midway.', type: 'server_error', param: null, code: 'internal_error' } },
    ];
    await page.route('**/v1/audio/transcriptions', (route) => route.fulfill({ status: 200, contentType: 'text/event-stream', body: events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') }));
    try {
      await transcribe.getByRole('button', { name: 'Transcribe' }).click();
      await page.locator('#transcribe-error').filter({ hasText: 'The model failed midway.' }).waitFor();
      assert.deepEqual(await page.locator('#transcript-segments li .segment-text').allTextContents(), ['First part.', 'Second part.']);
      assert.match((await page.locator('#transcript-segments li .time').allTextContents())[1]!, /^0:04\.5 – 0:08\.0$/);
    } finally {
      await page.unroute('**/v1/audio/transcriptions');
    }
    // Progress: the share of the file recognised, as each segment arrives.
    const seen: number[] = [];
    await page.exposeFunction('progressSeen', (value: number) => seen.push(value));
    await page.evaluate(() => {
      const bar = document.getElementById('transcribe-progress') as HTMLProgressElement;
      new MutationObserver(() => (window as unknown as { progressSeen(v: number): void }).progressSeen(bar.value)).observe(bar, { attributes: true, attributeFilter: ['value'] });
    });
    await transcribe.getByRole('button', { name: 'Transcribe' }).click();
    await page.locator('#transcribe-status').filter({ hasText: /Transcribed 15\.9 s/ }).waitFor();
    assert.ok(seen.some((v) => v > 0 && v <= 100), `progress values seen: ${seen.join(', ')}`);
  });
});

describe('the catalogue in the playground', () => {
  let archives: ArchiveServer;
  let archive: Buffer;
  before(async () => {
    archive = await makeModelArchive(join(await fixtureModelsDir(), FIXTURE_MODELS.pocket), 'sherpa-onnx-pocket-pulled', 'tar.bz2', 1_500_000);
    archives = await startArchiveServer({ '/pocket.tar.bz2': archive });
  });
  after(() => archives.close());

  test('shows a download with its progress, refreshes the models when it lands, and pulls with a button', async () => {
    const catalogue = new Catalogue([
      { id: 'pocket-pulled', task: 'tts', family: 'Pocket TTS', description: 'fixture', licence: 'test', url: `${archives.url}/pocket.tar.bz2`, format: 'tar.bz2', sizeBytes: archive.length, sha256: createHash('sha256').update(archive).digest('hex') },
      { id: 'gone-model', task: 'tts', family: 'Pocket TTS', description: 'fixture', licence: 'test', url: `${archives.url}/gone.tar.bz2`, format: 'tar.bz2' },
    ]);
    const url = await serve({}, { catalogue }, await mkdtemp(join(tmpdir(), 'vocable-empty-models-')));
    const { context, page, pageErrors } = await openPage(url);
    try {
      const row = (id: string) => page.locator(`#catalogue-body tr[data-model="${id}"]`);
      await row('pocket-pulled').getByRole('button', { name: 'Pull pocket-pulled' }).waitFor();
      const release = archives.holdNextAfter('/pocket.tar.bz2', Math.floor(archive.length / 2));
      await row('pocket-pulled').getByRole('button', { name: 'Pull pocket-pulled' }).click();
      await row('pocket-pulled').filter({ hasText: /downloading (4\d|50)% of \d+ MB/ }).waitFor();
      const bar = row('pocket-pulled').getByRole('progressbar');
      assert.ok(Number(await bar.getAttribute('value')) > 0, 'the bar shows the bytes received');
      await page.screenshot({ path: join(SCREENSHOTS, 'catalogue-pulling.png') });
      release();
      await row('pocket-pulled').filter({ hasText: 'installed' }).waitFor();
      await page.locator('#models-body').filter({ hasText: /pocket-pulled/ }).waitFor();
      await page.locator('#speak-model option[value="pocket-pulled"]').waitFor({ state: 'attached' });

      await row('gone-model').getByRole('button', { name: 'Pull gone-model' }).click();
      await row('gone-model').locator('.error').filter({ hasText: /404/ }).waitFor();
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });
});

describe('the API-key dialog', () => {
  test('can be opened again after Cancel, and the page loads once a key is entered', async () => {
    const { context, page, pageErrors } = await openPage(await serve({ apiKey: API_KEY }));
    try {
      const dialog = page.getByRole('dialog', { name: 'API key' });
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.locator('#server-error').filter({ hasText: /Enter API key/ }).waitFor();
      await page.getByRole('button', { name: 'Enter API key' }).click();
      await dialog.waitFor();
      await dialog.getByLabel('Key').fill(API_KEY);
      await dialog.getByRole('button', { name: 'Use this key' }).click();
      await page.locator('#speak-model option[value="kokoro"]').waitFor({ state: 'attached' });
      await page.locator('#catalogue-body tr').first().waitFor();
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });
});

describe('on a 390 px phone', () => {
  test('no element reaches past the right edge: tables, voices and catalogue fit', async () => {
    const url = await serve();
    await fetch(`${url}/v1/voices`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'a-rather-long-saved-voice-name-for-a-phone', audio: sharedClip('spk1_snt1.wav').toString('base64'), transcript: 'Some words.' }) });
    const { context, page } = await openPage(url, 390);
    try {
      await page.locator('#models-body tr').first().waitFor();
      await page.locator('#catalogue-body tr').first().waitFor();
      await page.locator('#voices-list li').first().waitFor();
      await page.locator('#transcribe').getByLabel(/choose a file/).setInputFiles(join(SHARED_AUDIO, 'jfk.wav'));
      await page.locator('#transcript-segments li').first().waitFor();
      await page.screenshot({ path: join(SCREENSHOTS, 'phone-390.png'), fullPage: true });
      const overflowing = await page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        return [...document.querySelectorAll('body *')]
          .filter((node) => {
            const box = node.getBoundingClientRect();
            return box.width > 0 && box.right > width + 0.5;
          })
          .map((node) => `${node.tagName.toLowerCase()}${node.id ? `#${node.id}` : ''}.${(node as HTMLElement).className} right=${Math.round(node.getBoundingClientRect().right)}`);
      });
      assert.deepEqual(overflowing, [], 'elements wider than the phone');
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no sideways scrolling');
    } finally {
      await context.close();
    }
  });
});
