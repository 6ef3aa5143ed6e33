/**
 * Generation controls on /v1/audio/speech, on fixture models (tiny hand-set graphs in each
 * family's real layout, run by the real sherpa-onnx engine): each control reaches the engine's
 * generation config and changes the output where it should; unhonoured and out-of-range → 400.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { kokoro } from '../src/engine/families/kokoro.js';
import { pocket } from '../src/engine/families/pocket.js';
import { zipvoice } from '../src/engine/families/zipvoice.js';
import type { SynthesisInput } from '../src/engine/family.js';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { base64, parseWav, sharedClip } from './helpers/audio.js';
import { fixtureModelsDir } from '../fixtures/cache.js';

let app: FastifyInstance;
const INPUT = 'Hello there, how are you today?';
const clip = base64(sharedClip('spk2_snt4.wav'));
const POCKET = { model: 'pocket', input: INPUT, ref_audio: clip };
const ZIPVOICE = { model: 'zipvoice', input: INPUT, ref_audio: clip, ref_text: 'The words of the clip.' };

function speech(body: Record<string, unknown>) {
  return app.inject({ method: 'POST', url: '/v1/audio/speech', payload: body });
}

async function samples(body: Record<string, unknown>): Promise<Int16Array> {
  const response = await speech({ response_format: 'wav', ...body });
  assert.equal(response.statusCode, 200, response.body);
  return parseWav(response.rawPayload).samples;
}

const same = (a: Int16Array, b: Int16Array) => a.length === b.length && a.every((v, i) => v === b[i]);

before(async () => {
  ({ app } = await testApp(await fixtureModelsDir()));
});
after(() => app.close());

describe('what reaches the engine', () => {
  const base: SynthesisInput = { text: 'Hi.', speed: 1, speakerId: 0, controls: {} };
  test('absent controls are never passed: the family defaults apply', () => {
    assert.deepEqual(Object.keys(pocket.generateRequest(base).generationConfig!).sort(), ['referenceAudio', 'referenceSampleRate']);
    const zip = zipvoice.generateRequest(base).generationConfig!;
    assert.equal(zip.numSteps, undefined);
    assert.equal(zip.extra, undefined);
    assert.equal(kokoro.generateRequest(base).generationConfig!.extra, undefined);
  });
  test('Pocket: temperature, seed and max_tokens go in extra, num_steps in numSteps', () => {
    const config = pocket.generateRequest({ ...base, controls: { temperature: 0.3, seed: 42, max_tokens: 99, num_steps: 8 } }).generationConfig!;
    assert.deepEqual(config.extra, { temperature: 0.3, seed: 42, max_frames: 99 });
    assert.equal(config.numSteps, 8);
  });
  test('ZipVoice: num_steps and guidance_scale', () => {
    const config = zipvoice.generateRequest({ ...base, controls: { num_steps: 3, guidance_scale: 2.5 } }).generationConfig!;
    assert.equal(config.numSteps, 3);
    assert.deepEqual(config.extra, { guidance_scale: 2.5 });
  });
  test('Kokoro: language goes in extra.lang', () => {
    assert.deepEqual(kokoro.generateRequest({ ...base, language: 'en-us' }).generationConfig!.extra, { lang: 'en-us' });
  });
});

describe('GET /v1/models shows each model\'s controls', () => {
  test('with ranges and defaults', async () => {
    const body = (await app.inject({ method: 'GET', url: '/v1/models' })).json() as { data: { id: string; capabilities: { controls: Record<string, unknown> } }[] };
    const controls = Object.fromEntries(body.data.map((m) => [m.id, m.capabilities.controls]));
    assert.deepEqual(Object.keys(controls.pocket!).sort(), ['max_tokens', 'num_steps', 'seed', 'temperature']);
    assert.deepEqual(Object.keys(controls.zipvoice!).sort(), ['guidance_scale', 'num_steps']);
    assert.deepEqual(controls.pocket!.temperature, { type: 'number', min: 0, max: 2, default: 0.7 });
    assert.deepEqual(controls.kokoro, { language: { values: ['en-us', 'en-gb', 'es', 'fr', 'hi', 'it', 'pt-br', 'ja', 'zh'], default: 'en-us' } });
  });
});

describe('Pocket sampling controls change the output', () => {
  test('seed: the same seed twice gives the same samples, another seed others', async () => {
    const a = await samples({ ...POCKET, seed: 11 });
    const again = await samples({ ...POCKET, seed: 11 });
    const b = await samples({ ...POCKET, seed: 12 });
    assert.ok(same(a, again));
    assert.ok(!same(a, b));
  });
  test('temperature 0 removes the randomness whatever the seed', async () => {
    assert.ok(same(await samples({ ...POCKET, temperature: 0, seed: 1 }), await samples({ ...POCKET, temperature: 0, seed: 2 })));
    assert.ok(!same(await samples({ ...POCKET, temperature: 0, seed: 1 }), await samples({ ...POCKET, temperature: 1.5, seed: 1 })));
  });
  test('num_steps changes the sampled audio', async () => {
    assert.ok(!same(await samples({ ...POCKET, seed: 3, num_steps: 1 }), await samples({ ...POCKET, seed: 3, num_steps: 12 })));
  });
  test('max_tokens caps the length', async () => {
    const full = await samples({ ...POCKET, seed: 3 });
    const capped = await samples({ ...POCKET, seed: 3, max_tokens: 5 });
    assert.ok(capped.length < full.length / 2, `${capped.length} vs ${full.length}`);
  });
});

describe('ZipVoice flow controls change the output', () => {
  test('num_steps', async () => {
    assert.ok(!same(await samples({ ...ZIPVOICE, num_steps: 3 }), await samples({ ...ZIPVOICE, num_steps: 8 })));
  });
  test('guidance_scale', async () => {
    const standard = await samples(ZIPVOICE);
    assert.ok(same(standard, await samples({ ...ZIPVOICE, guidance_scale: 1 })), 'the default value is the default');
    assert.ok(!same(standard, await samples({ ...ZIPVOICE, guidance_scale: 2.5 })));
  });
});

describe('language', () => {
  test('Kokoro takes one of its languages, by full tag or primary subtag', async () => {
    const plain = await samples({ model: 'kokoro', input: INPUT });
    assert.ok(same(plain, await samples({ model: 'kokoro', input: INPUT, language: 'en-us' })));
    assert.ok(same(plain, await samples({ model: 'kokoro', input: INPUT, language: 'en' })));
  });
  test('an unsupported language → 400 listing the ones the model has', async () => {
    assertApiError(await speech({ model: 'kokoro', input: INPUT, language: 'de' }), 400, { param: 'language', code: 'unsupported_language', message: /'de'.*en-us/ });
    assertApiError(await speech({ ...ZIPVOICE, language: 'de' }), 400, { param: 'language', message: /en, zh/ });
  });
});

describe('controls a model does not honour, and ranges', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['temperature on Kokoro', { model: 'kokoro', input: INPUT, temperature: 0.5 }, /'kokoro' does not honour temperature/],
    ['top_p other than 1 on Kokoro', { model: 'kokoro', input: INPUT, top_p: 0.9 }, /does not honour top_p/],
    ['seed on ZipVoice', { ...ZIPVOICE, seed: 1 }, /'zipvoice' does not honour seed.*num_steps, guidance_scale/],
    ['guidance_scale 2 on Pocket', { ...POCKET, guidance_scale: 2 }, /does not honour guidance_scale/],
    ['repetition_penalty on Pocket', { ...POCKET, repetition_penalty: 1.3 }, /does not honour repetition_penalty/],
    ['top_k on ZipVoice', { ...ZIPVOICE, top_k: 50 }, /does not honour top_k/],
    ['temperature above range', { ...POCKET, temperature: 3 }, /temperature must be a number from 0 to 2/],
    ['seed not an integer', { ...POCKET, seed: 1.5 }, /seed must be an integer/],
    ['num_steps 0', { ...ZIPVOICE, num_steps: 0 }, /num_steps must be an integer from 1 to 64/],
    ['guidance_scale above range', { ...ZIPVOICE, guidance_scale: 11 }, /guidance_scale must be a number from 0\.1 to 10/],
  ];
  for (const [name, body, message] of cases) {
    test(`${name} → 400`, async () => {
      const param = Object.keys(body).find((k) => message.source.includes(k)) ?? null;
      assertApiError(await speech(body), 400, { message, param });
    });
  }
  test('neutral values of controls a model lacks are accepted', async () => {
    const response = await speech({ model: 'kokoro', input: INPUT, top_p: 1, repetition_penalty: 1, guidance_scale: 1, top_k: 0 });
    assert.equal(response.statusCode, 200);
  });
  test('a control of the wrong type → 400', async () => {
    assertApiError(await speech({ ...POCKET, temperature: 'hot' }), 400, { param: 'temperature', code: 'invalid_type' });
  });
});

test('voice may be an object { id }', async () => {
  const byName = await samples({ model: 'kokoro', input: INPUT, voice: 'am_adam' });
  assert.ok(same(byName, await samples({ model: 'kokoro', input: INPUT, voice: { id: 'am_adam' } })));
  assertApiError(await speech({ model: 'kokoro', input: INPUT, voice: { id: 'nobody' } }), 400, { param: 'voice' });
  assertApiError(await speech({ model: 'kokoro', input: INPUT, voice: { name: 'x' } }), 400, { param: 'voice' });
});
