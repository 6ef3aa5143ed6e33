/**
 * The playground page at `/`, used as a person would in a real browser: Debian's Chromium driven by
 * playwright-core, against a listening server on the fixture models (which make tones, not speech).
 * Screenshots go to test-results/playground/; UPDATE_DOCS_SCREENSHOT=1 also copies the full page
 * to docs/playground.png, the README's picture.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { SENSEVOICE_TEXT } from '../fixtures/sensevoice.js';
import { encodeWav } from '../src/audio/wav.js';
import type { Config } from '../src/config.js';
import { testApp } from './helpers/app.js';
import { clipsWithSilence, SHARED_AUDIO } from './helpers/audio.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCREENSHOTS = join(ROOT, 'test-results', 'playground');
const CHROMIUM = '/usr/bin/chromium';
const API_KEY = 'sk-playground-test';
/** Long enough for a cold model load on a slow machine; waits end as soon as the page shows the result. */
const WAIT_MS = 30_000;

let browser: Browser;
const servers: FastifyInstance[] = [];

async function serve(overrides: Partial<Config> = {}): Promise<string> {
  const { app } = await testApp(await fixtureModelsDir(), overrides);
  servers.push(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

async function openPage(url: string): Promise<{ context: BrowserContext; page: Page; pageErrors: Error[] }> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, permissions: ['clipboard-read', 'clipboard-write', 'microphone'] });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const pageErrors: Error[] = [];
  page.on('pageerror', (error) => pageErrors.push(error));
  await page.goto(url);
  return { context, page, pageErrors };
}

const screenshot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

/** Waits until the panel shows playable audio in `audioId` (other than `previousSrc`) or an error; fails with the page's error message. */
async function heardAudio(page: Page, panelId: string, audioId: string, previousSrc = ''): Promise<{ duration: number; src: string }> {
  const outcome = await page.waitForFunction(
    ({ panelId, audioId, previousSrc }) => {
      const error = document.querySelector(`#${panelId} .error`)?.textContent;
      if (error) return { error };
      const audio = document.getElementById(audioId) as HTMLAudioElement | null;
      const ready = audio && audio.src !== previousSrc && Number.isFinite(audio.duration) && audio.duration > 0;
      return ready ? { duration: audio.duration, src: audio.src } : false;
    },
    { panelId, audioId, previousSrc },
  );
  const result = (await outcome.jsonValue()) as { error?: string; duration: number; src: string };
  assert.equal(result.error, undefined, `the page showed an error: ${result.error}`);
  return result;
}

/** Waits until the text (or value) of `selector` matches, or the panel shows an error; returns the text. */
async function sees(page: Page, panelId: string, selector: string, pattern: RegExp): Promise<string> {
  const outcome = await page.waitForFunction(
    ({ panelId, selector, source, flags }) => {
      const error = document.querySelector(`#${panelId} .error`)?.textContent;
      if (error) return { error };
      const node = document.querySelector(selector);
      const text = node instanceof HTMLTextAreaElement || node instanceof HTMLInputElement ? node.value : (node?.textContent ?? '');
      return new RegExp(source, flags).test(text) ? { text } : false;
    },
    { panelId, selector, source: pattern.source, flags: pattern.flags },
  );
  const result = (await outcome.jsonValue()) as { error?: string; text: string };
  assert.equal(result.error, undefined, `the page showed an error: ${result.error}`);
  return result.text;
}

const optionValues = (select: Locator) => select.locator('option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (npm test runs scripts/ensure-test-deps.sh, which does)`);
  await mkdir(SCREENSHOTS, { recursive: true });
  // The microphone is Chromium's fake capture device, playing real speech (looped) with pauses around it.
  const { samples } = await clipsWithSilence(['spk1_snt1.wav'], 1);
  const microphone = join(await mkdtemp(join(tmpdir(), 'vocable-mic-')), 'speech.wav');
  await writeFile(microphone, encodeWav({ samples, sampleRate: 16000 }));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync',
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${microphone}`,
    ],
  });
});

after(async () => {
  await browser?.close();
  await Promise.all(servers.map((app) => app.close()));
});

describe('the playground, without an API key', () => {
  let session: Awaited<ReturnType<typeof openPage>>;
  const speak = () => session.page.locator('#speak');
  const clone = () => session.page.locator('#clone');
  const transcribe = () => session.page.locator('#transcribe');

  before(async () => {
    session = await openPage(await serve());
    await session.page.locator('#speak-model option').first().waitFor({ state: 'attached' });
  });
  after(() => session.context.close());

  test('speaks with a preset voice: the audio streams as it is made, plays, and can be downloaded', async () => {
    const { page } = session;
    await speak().getByLabel('Model').selectOption('kokoro');
    await speak().getByLabel('Voice').selectOption('af_heart');
    await speak().getByLabel('Text').fill('Hello from the playground test.');
    const asked = page.waitForRequest((request) => request.url().endsWith('/v1/audio/speech'));
    await speak().getByRole('button', { name: 'Speak', exact: true }).click();
    // The page asks for streamed audio, to play it as it arrives.
    const body = (await asked).postDataJSON() as { response_format: string; stream: boolean };
    assert.equal(body.response_format, 'pcm');
    assert.equal(body.stream, true);
    const { duration, src } = await heardAudio(page, 'speak', 'speak-audio');
    assert.ok(duration > 0.1, `${duration} s of audio`);
    const download = speak().getByRole('link', { name: 'Download WAV' });
    assert.equal(await download.getAttribute('href'), src);
    assert.match((await download.getAttribute('download')) ?? '', /^kokoro-hello-from-the-playground.*\.wav$/);
    await sees(page, 'server-status', '#last-request', /Speak · kokoro[\s\S]*× real time/);
    await sees(page, 'server-status', '#models-body', /kokoro\s*speech\s*loaded/);
    await screenshot(page, 'speak');
  });

  test('clones from an uploaded clip: transcript filled in, clone heard, voice saved and offered in Speak', async () => {
    const { page } = session;
    await clone().getByLabel('Cloning model').selectOption('pocket');
    await clone().getByLabel('Transcribe the clip with').selectOption('sensevoice');
    await clone().getByLabel(/choose a file/).setInputFiles(join(SHARED_AUDIO, 'spk1_snt1.wav'));
    await sees(page, 'clone', '#clone-file-name', /spk1_snt1\.wav/);
    const transcript = await sees(page, 'clone', '#clone-transcript', /\S/);
    assert.ok(transcript.includes(SENSEVOICE_TEXT), `the fixture SenseVoice model's text, got "${transcript}"`);

    await clone().getByLabel('Transcript of the clip').fill(`${transcript} (checked)`);
    await clone().getByRole('button', { name: 'Speak with this clip' }).click();
    const cloned = await heardAudio(page, 'clone', 'clone-audio');
    assert.ok(cloned.duration > 0.1, `${cloned.duration} s of cloned audio`);

    await clone().getByLabel('Save the clip as').fill('playground-voice');
    await clone().getByRole('button', { name: 'Save voice' }).click();
    await sees(page, 'clone', '#clone-status', /Saved “playground-voice”/);
    await screenshot(page, 'clone');

    await speak().getByLabel('Model').selectOption('pocket');
    const voice = speak().getByLabel('Voice');
    assert.ok((await optionValues(voice)).includes('playground-voice'), 'the saved voice is in the voice list');
    await voice.selectOption('playground-voice');
    const before = await page.locator('#speak-audio').getAttribute('src');
    await speak().getByRole('button', { name: 'Speak', exact: true }).click();
    await heardAudio(page, 'speak', 'speak-audio', before ?? '');
    const saved = await page.evaluate(async () => (await (await fetch('/v1/voices/playground-voice')).json()) as { transcript: string; model: string });
    assert.equal(saved.transcript, `${transcript} (checked)`, 'the edited transcript was saved');
    assert.equal(saved.model, 'pocket');
  });

  test('records the clip from the microphone: the recording is used and transcribed', async () => {
    const { page } = session;
    await clone().getByLabel('Transcribe the clip with').selectOption('sensevoice');
    await clone().getByRole('button', { name: 'Record' }).click();
    await sees(page, 'clone', '#clone-status', /Recording/);
    await page.waitForTimeout(4500);
    await clone().getByRole('button', { name: 'Stop recording' }).click();
    await sees(page, 'clone', '#clone-file-name', /^recording\.(webm|ogg|m4a)/);
    const transcript = await sees(page, 'clone', '#clone-transcript', /\S/);
    assert.ok(transcript.includes(SENSEVOICE_TEXT), `the recorded speech was transcribed, got "${transcript}"`);
  });

  test('live transcription: the microphone streams to /v1/realtime and the transcript grows as the person speaks', async () => {
    const { page, pageErrors } = session;
    const live = page.locator('#live');
    await live.getByLabel('Model').selectOption('sensevoice');
    const socket = page.waitForEvent('websocket');
    await live.getByRole('button', { name: 'Start listening' }).click();
    assert.match((await socket).url(), /\/v1\/realtime\?intent=transcription&model=sensevoice$/);
    await sees(page, 'live', '#live-status', /Listening with sensevoice/);
    // A finished line: a turn the server's VAD closed, its final text in place.
    await sees(page, 'live', '#live-transcript li:not(.partial)', new RegExp(SENSEVOICE_TEXT));
    await screenshot(page, 'live');
    await live.getByRole('button', { name: 'Stop' }).click();
    await sees(page, 'live', '#live-toggle', /Start listening/);
    assert.deepEqual(pageErrors, []);
  });

  test('transcribes a dropped file: text, segment times, and SRT / VTT to copy', async () => {
    const { page } = session;
    await transcribe().getByLabel('Model').selectOption('sensevoice');
    await transcribe().getByLabel(/choose a file/).setInputFiles(join(SHARED_AUDIO, 'jfk.wav'));
    const text = await sees(page, 'transcribe', '#transcript-text', new RegExp(SENSEVOICE_TEXT));
    assert.ok(text.includes(SENSEVOICE_TEXT));
    const segments = await page.locator('#transcript-segments li').allTextContents();
    assert.ok(segments.length >= 1, 'segments are listed');
    for (const segment of segments) assert.match(segment, /^\d+:\d\d\.\d – \d+:\d\d\.\d/);

    await transcribe().getByRole('button', { name: 'Copy SRT' }).click();
    await sees(page, 'transcribe', '#transcribe-status', /Copied the SRT/);
    const srt = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(srt, /^1\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\n/);
    await transcribe().getByRole('button', { name: 'Copy VTT' }).click();
    await sees(page, 'transcribe', '#transcribe-status', /Copied the WebVTT/);
    assert.match(await page.evaluate(() => navigator.clipboard.readText()), /^WEBVTT\n\n\d\d:\d\d:\d\d\.\d{3} --> /);

    await sees(page, 'server-status', '#last-request', /Transcribe · sensevoice/);
    // Away from the buttons, so the picture shows no hover state.
    await page.mouse.move(0, 0);
    await screenshot(page, 'playground');
    // The README's picture is refreshed on request only, so a test run leaves the tree as it was.
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1') {
      await mkdir(join(ROOT, 'docs'), { recursive: true });
      await copyFile(join(SCREENSHOTS, 'playground.png'), join(ROOT, 'docs', 'playground.png'));
    }
    assert.deepEqual(session.pageErrors, []);
  });

  test('labels speakers when asked: each segment shows its voice, and the subtitles carry them', async () => {
    const { page } = session;
    const { samples } = await clipsWithSilence(['spk1_snt1.wav', 'spk2_snt1.wav', 'spk1_snt2.wav']);
    const file = join(await mkdtemp(join(tmpdir(), 'vocable-playground-')), 'talk.wav');
    await writeFile(file, encodeWav({ samples, sampleRate: 16000 }));
    await transcribe().getByLabel('Model').selectOption('sensevoice');
    await transcribe().getByLabel(/Label speakers/).check();
    await transcribe().getByLabel(/choose a file/).setInputFiles(file);
    await sees(page, 'transcribe', '#transcript-segments', /B/);
    const speakers = await page.locator('#transcript-segments li .speaker').allTextContents();
    assert.deepEqual(speakers, ['A', 'B', 'A']);
    await transcribe().getByRole('button', { name: 'Copy VTT' }).click();
    await sees(page, 'transcribe', '#transcribe-status', /Copied the WebVTT/);
    assert.match(await page.evaluate(() => navigator.clipboard.readText()), /\n<v B>/);
    await transcribe().getByLabel(/Label speakers/).uncheck();
    assert.deepEqual(session.pageErrors, []);
  });

  test('an API error is shown to the person', async () => {
    const { page } = session;
    await clone().getByLabel('Cloning model').selectOption('pocket');
    await clone().getByLabel('Save the clip as').fill('af_heart');
    await clone().getByRole('button', { name: 'Save voice' }).click();
    await page.locator('#clone-save-error').filter({ hasText: /preset voice of model 'kokoro'/ }).waitFor();
  });
});

describe('the playground, with an API key on the server', () => {
  let url: string;
  before(async () => {
    url = await serve({ apiKey: API_KEY });
  });

  test('the page and its assets stay open; /v1 does not', async () => {
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    const html = await page.text();
    const assets = [...html.matchAll(/(?:href|src)="(\/playground\/[^"]+)"/g)].map((m) => m[1]!);
    assert.deepEqual(assets.map((a) => a.split('.').pop()).sort(), ['css', 'js', 'svg']);
    for (const asset of assets) {
      const response = await fetch(`${url}${asset}`);
      assert.equal(response.status, 200, asset);
      assert.match(response.headers.get('content-type') ?? '', asset.endsWith('.js') ? /^text\/javascript/ : asset.endsWith('.css') ? /^text\/css/ : /^image\/svg\+xml/);
      assert.match(response.headers.get('cache-control') ?? '', /immutable/);
    }
    assert.equal((await fetch(`${url}/playground/missing.js`)).status, 404);
    assert.equal((await fetch(`${url}/v1/models`)).status, 401);
  });

  test('asks for the key once (again after a wrong one), keeps it, and gets through', async () => {
    const { context, page, pageErrors } = await openPage(url);
    try {
      const dialog = page.getByRole('dialog', { name: 'API key' });
      await dialog.waitFor();
      assert.equal(await page.locator('#api-key-problem').textContent(), '', 'no complaint before a key was sent');
      await screenshot(page, 'api-key');
      await dialog.getByLabel('Key').fill('sk-wrong');
      await dialog.getByRole('button', { name: 'Use this key' }).click();
      await page.locator('#api-key-problem').filter({ hasText: /Invalid API key/ }).waitFor();
      // By keyboard this time: Enter submits the key, Ctrl+Enter in the text speaks.
      await dialog.getByLabel('Key').fill(API_KEY);
      await dialog.getByLabel('Key').press('Enter');
      await dialog.waitFor({ state: 'hidden' });

      const speak = page.locator('#speak');
      await speak.getByLabel('Model').selectOption('kitten');
      await speak.getByLabel('Text').press('Control+Enter');
      await heardAudio(page, 'speak', 'speak-audio');

      await page.reload();
      await page.locator('#speak-model option[value="kitten"]').waitFor({ state: 'attached' });
      await sees(page, 'server-status', '#models-summary', /models installed/);
      assert.equal(await dialog.isVisible(), false, 'the stored key is used: no second question');
      // The live session's WebSocket carries the stored key as a subprotocol, as browsers must.
      const live = page.locator('#live');
      await live.getByLabel('Model').selectOption('sensevoice');
      await live.getByRole('button', { name: 'Start listening' }).click();
      await sees(page, 'live', '#live-transcript li:not(.partial)', new RegExp(SENSEVOICE_TEXT));
      await live.getByRole('button', { name: 'Stop' }).click();
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });
});

describe('the API reference at /docs', () => {
  test('renders in the browser with its own style, offline, and links the document', async () => {
    const url = await serve({ apiKey: API_KEY });
    const { context, page, pageErrors } = await openPage(`${url}/docs`);
    const blocked: string[] = [];
    page.on('console', (message) => message.type() === 'error' && blocked.push(message.text()));
    try {
      await page.getByRole('heading', { name: 'Vocable API reference' }).waitFor();
      const speech = page.locator('#createSpeech');
      await speech.getByRole('cell', { name: 'ref_audio' }).waitFor();
      assert.match((await speech.textContent()) ?? '', /POST\s*\/v1\/audio\/speech/);
      const badge = await speech.locator('.method').evaluate((node) => getComputedStyle(node).backgroundColor);
      assert.notEqual(badge, 'rgba(0, 0, 0, 0)', 'the page style applies under its Content-Security-Policy');
      await page.getByRole('link', { name: 'Error codes' }).click();
      await page.getByRole('cell', { name: 'voice_exists' }).waitFor();
      await screenshot(page, 'docs');
      assert.deepEqual(pageErrors, []);
      assert.deepEqual(blocked, [], 'nothing blocked or failed');
      await page.getByRole('link', { name: '/openapi.json', exact: true }).click();
      await page.waitForURL(/\/openapi\.json$/);
      assert.equal((JSON.parse(await page.locator('body').innerText()) as { openapi: string }).openapi, '3.1.0');
    } finally {
      await context.close();
    }
  });
});
