/**
 * OpenAI's model and voice names, as clients hard-code them: model aliases lead to the installed
 * default (or configured) model, OpenAI voices to a preset of the model's family or a saved voice,
 * all overridable in the config file; a voice that leads nowhere is a 400 listing real voices.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import OpenAI, { toFile } from 'openai';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { ConfigError, resolveConfig } from '../src/config.js';
import { OPENAI_STT_MODELS, OPENAI_TTS_MODELS } from '../src/engine/model-aliases.js';
import { OPENAI_VOICES } from '../src/speech/openai-voices.js';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { base64, sharedClip } from './helpers/audio.js';

let app: FastifyInstance;
let client: OpenAI;

before(async () => {
  ({ app } = await testApp(await fixtureModelsDir(), { modelAliases: { 'tts-1': 'kokoro', 'whisper-1': 'sensevoice', 'house-voice': 'kokoro' }, voiceAliases: { piper: { shimmer: 'amy' } } }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  client = new OpenAI({ apiKey: 'unused', baseURL: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1`, maxRetries: 0 });
});
after(() => app.close());

/** Whole-file speech bytes, to compare which voice spoke. */
async function speech(body: Record<string, unknown>, on = app): Promise<Buffer> {
  const response = await on.inject({ method: 'POST', url: '/v1/audio/speech', payload: { input: 'Which voice is this?', response_format: 'pcm', stream: false, ...body } });
  assert.equal(response.statusCode, 200, response.body);
  return response.rawPayload;
}

describe('model aliases', () => {
  test('GET /v1/models lists OpenAI\'s names and configured ones, each saying which model it stands for', async () => {
    const { data } = (await (await fetch(`${client.baseURL}/models`)).json()) as { data: { id: string; alias_for?: string; capabilities: { task: string } }[] };
    const aliases = Object.fromEntries(data.filter((m) => m.alias_for).map((m) => [m.id, m.alias_for]));
    assert.equal(aliases['tts-1'], 'kokoro');
    assert.equal(aliases['whisper-1'], 'sensevoice');
    assert.equal(aliases['house-voice'], 'kokoro');
    for (const name of OPENAI_TTS_MODELS) assert.ok(aliases[name], `${name} is listed`);
    for (const name of OPENAI_STT_MODELS) assert.ok(aliases[name], `${name} is listed`);
    for (const alias of data.filter((m) => m.alias_for)) assert.equal(alias.capabilities.task, data.find((m) => m.id === alias.alias_for)!.capabilities.task);
  });

  test('unconfigured OpenAI names stand for the first installed model of their task', async () => {
    const model = await client.models.retrieve('gpt-4o-mini-tts');
    const { data } = (await (await fetch(`${client.baseURL}/models`)).json()) as { data: { id: string; alias_for?: string; capabilities: { task: string } }[] };
    const firstTts = data.filter((m) => !m.alias_for && m.capabilities.task === 'tts').map((m) => m.id).sort()[0];
    assert.equal((model as unknown as { alias_for: string }).alias_for, firstTts);
    assert.equal(model.id, 'gpt-4o-mini-tts');
  });

  test('the SDK speaks with tts-1 and transcribes with whisper-1', async () => {
    const audio = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Hello from an OpenAI name.', response_format: 'wav' });
    assert.equal(Buffer.from(await audio.arrayBuffer()).toString('ascii', 0, 4), 'RIFF');
    const text = await client.audio.transcriptions.create({ model: 'whisper-1', file: await toFile(sharedClip('spk1_snt1.wav'), 'a.wav') });
    assert.ok(text.text.length > 0);
  });

  test('an alias speaks exactly as the model it stands for', async () => {
    assert.deepEqual(await speech({ model: 'tts-1', voice: 'af_heart' }), await speech({ model: 'kokoro', voice: 'af_heart' }));
  });
});

describe('OpenAI voices', () => {
  test('on Kokoro, each becomes a preset of the same sex: alloy → af_heart, coral → bf_emma, echo → am_adam', async () => {
    const heart = await speech({ model: 'kokoro', voice: 'af_heart' });
    const emma = await speech({ model: 'kokoro', voice: 'bf_emma' });
    const adam = await speech({ model: 'kokoro', voice: 'am_adam' });
    assert.notDeepEqual(heart, emma);
    assert.deepEqual(await speech({ model: 'kokoro', voice: 'alloy' }), heart);
    assert.deepEqual(await speech({ model: 'kokoro', voice: 'coral' }), emma);
    assert.deepEqual(await speech({ model: 'kokoro', voice: 'echo' }), adam);
  });

  test('every OpenAI voice is accepted by a model with presets', async () => {
    for (const voice of OPENAI_VOICES) assert.ok((await speech({ model: 'kitten', voice })).length > 0, voice);
  });

  test('a single-voice model answers every OpenAI voice with its one voice', async () => {
    assert.deepEqual(await speech({ model: 'piper', voice: 'onyx' }), await speech({ model: 'piper', voice: 'amy' }));
  });

  test('a model that only clones needs the voice pack, and says how to get it', async () => {
    const response = await app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { model: 'pocket', voice: 'alloy', input: 'Hi' } });
    assertApiError(response, 400, { param: 'voice', code: 'unknown_voice', message: /'alloy' stands for 'kyutai-alba-casual'.*vocable pull kyutai-pocket-voices/ });
  });

  test('a saved voice of the pack\'s name, or of the OpenAI name itself, is what the voice becomes', async () => {
    const harness = await testApp(await fixtureModelsDir());
    try {
      const clip = base64(sharedClip('spk1_snt2.wav'));
      // Pocket samples: a fixed seed makes its output depend on the voice alone.
      const pocket = (voice: string) => speech({ model: 'pocket', voice, seed: 7 }, harness.app);
      const save = (name: string, audio: string) => harness.app.inject({ method: 'POST', url: '/v1/voices', payload: { name, audio } });
      assert.equal((await save('kyutai-alba-casual', clip)).statusCode, 201);
      const casual = await pocket('kyutai-alba-casual');
      assert.deepEqual(await pocket('alloy'), casual);
      assert.deepEqual(await pocket('nova'), casual, 'nova also maps to the casual clip');

      const other = base64(sharedClip('spk2_snt1.wav'));
      assert.equal((await save('echo', other)).statusCode, 201);
      assert.equal((await save('someone-else', other)).statusCode, 201);
      const echo = await pocket('echo');
      assert.deepEqual(echo, await pocket('someone-else'));
      assert.notDeepEqual(echo, casual);
    } finally {
      await harness.app.close();
    }
  });

  test('the config file\'s voiceAliases win over the family default', async () => {
    assert.notDeepEqual(await speech({ model: 'kokoro', voice: 'shimmer' }), await speech({ model: 'piper', voice: 'shimmer' }));
    const configured = await testApp(await fixtureModelsDir(), { voiceAliases: { kokoro: { alloy: 'am_adam' }, '*': { nova: 'bf_emma' } } });
    try {
      assert.deepEqual(await speech({ model: 'kokoro', voice: 'alloy' }, configured.app), await speech({ model: 'kokoro', voice: 'am_adam' }, configured.app));
      assert.deepEqual(await speech({ model: 'kokoro', voice: 'nova' }, configured.app), await speech({ model: 'kokoro', voice: 'bf_emma' }, configured.app));
    } finally {
      await configured.app.close();
    }
  });

  test('a voice that leads nowhere is a 400 listing the presets and saved voices', async () => {
    const response = await app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { model: 'kokoro', voice: 'nobody', input: 'Hi' } });
    assertApiError(response, 400, { param: 'voice', code: 'unknown_voice', message: /no voice 'nobody'.*af_heart, am_adam, bf_emma.*saved voices: none/ });
    const mapped = await testApp(await fixtureModelsDir(), { voiceAliases: { kokoro: { alloy: 'not-a-voice' } } });
    try {
      const refused = await mapped.app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { model: 'kokoro', voice: 'alloy', input: 'Hi' } });
      assertApiError(refused, 400, { param: 'voice', code: 'unknown_voice', message: /'alloy' stands for 'not-a-voice'.*af_heart/ });
    } finally {
      await mapped.app.close();
    }
  });
});

describe('the config file', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vocable-config-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const file = async (name: string, settings: unknown) => {
    const path = join(dir, name);
    await writeFile(path, JSON.stringify(settings));
    return path;
  };

  test('sits between the defaults and the environment, which flags override', async () => {
    const path = await file('layers.json', { port: 9001, maxQueue: 3, modelAliases: { 'tts-1': 'kokoro' }, voiceAliases: { '*': { alloy: 'af_heart' } } });
    const fromFile = resolveConfig({ config: path }, {});
    assert.equal(fromFile.port, 9001);
    assert.equal(fromFile.maxQueue, 3);
    assert.equal(fromFile.host, '127.0.0.1', 'the rest stays default');
    assert.deepEqual(fromFile.modelAliases, { 'tts-1': 'kokoro' });
    assert.deepEqual(fromFile.voiceAliases, { '*': { alloy: 'af_heart' } });
    assert.equal(resolveConfig({}, { VOCABLE_CONFIG: path }).port, 9001, 'VOCABLE_CONFIG names the file too');
    assert.equal(resolveConfig({ config: path }, { VOCABLE_PORT: '9002' }).port, 9002, 'environment over file');
    assert.equal(resolveConfig({ config: path, port: 9003 }, { VOCABLE_PORT: '9002' }).port, 9003, 'flag over environment');
    assert.deepEqual(resolveConfig({ config: path }, { VOCABLE_MODEL_ALIASES: '{"whisper-1":"sensevoice"}' }).modelAliases, { 'whisper-1': 'sensevoice' });
  });

  test('a typo, a bad value or an unreadable file is refused by name', async () => {
    assert.throws(() => resolveConfig({ config: join(dir, 'missing.json') }, {}), (e: unknown) => e instanceof ConfigError && /Cannot read the config file/.test(e.message));
    const typo = await file('typo.json', { prot: 8000 });
    assert.throws(() => resolveConfig({ config: typo }, {}), (e: unknown) => e instanceof ConfigError && /unknown settings: prot/.test(e.message));
    const bad = await file('bad.json', { voiceAliases: { kokoro: { alloy: 7 } } });
    assert.throws(() => resolveConfig({ config: bad }, {}), (e: unknown) => e instanceof ConfigError && /voiceAliases\.kokoro\.alloy/.test(e.message));
    const list = await file('list.json', [1, 2]);
    assert.throws(() => resolveConfig({ config: list }, {}), (e: unknown) => e instanceof ConfigError && /JSON object/.test(e.message));
  });
});
