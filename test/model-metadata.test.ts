/**
 * Model folders sherpa-onnx would end the process on: a family told by its file names alone
 * (a Kokoro folder without voices.bin looks like SenseVoice), and ONNX files without a metadata
 * key the family's native code reads without a default. Each is reported by folder name with
 * what is missing, and the server keeps serving the other models (a real server process: the
 * native exit would take it down).
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import onnxProto from 'onnx-proto';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { SENSEVOICE_TEXT } from '../fixtures/sensevoice.js';
import { discoverModels } from '../src/engine/discovery.js';
import { base64, sharedClip } from './helpers/audio.js';
import { startServer, type RunningServer } from './helpers/cli.js';
import { form } from './helpers/multipart.js';

const { onnx } = onnxProto;

/**
 * The keys each family's native code reads with SHERPA_ONNX_READ_META_DATA* and no default, so
 * that their absence ends the process: sherpa-onnx/csrc/offline-tts-kokoro-model.cc,
 * offline-tts-kitten-model.cc, offline-tts-vits-model.cc, offline-sense-voice-model.cc,
 * offline-whisper-model.cc (is_multilingual models) and offline-transducer-nemo-model.cc.
 */
const REQUIRED: Record<string, { file: string; keys: string[] }> = {
  kokoro: { file: 'model.onnx', keys: ['sample_rate', 'n_speakers', 'has_espeak', 'style_dim'] },
  kitten: { file: 'model.fp16.onnx', keys: ['model_type', 'sample_rate', 'n_speakers', 'has_espeak', 'style_dim'] },
  piper: { file: 'en_US-amy-medium.onnx', keys: ['sample_rate', 'n_speakers', 'language', 'comment'] },
  sensevoice: {
    file: 'model.int8.onnx',
    keys: ['vocab_size', 'lfr_window_size', 'lfr_window_shift', 'normalize_samples', 'with_itn', 'without_itn', 'lang_auto', 'lang_zh', 'lang_en', 'lang_ja', 'lang_ko', 'lang_yue', 'neg_mean', 'inv_stddev'],
  },
  whisper: {
    file: 'tiny-encoder.onnx',
    keys: ['n_mels', 'n_text_layer', 'n_text_ctx', 'n_text_state', 'n_vocab', 'sot', 'eot', 'blank_id', 'translate', 'transcribe', 'is_multilingual', 'no_timestamps', 'no_speech', 'sot_sequence', 'all_language_tokens', 'all_language_codes'],
  },
  parakeet: { file: 'encoder.int8.onnx', keys: ['vocab_size', 'subsampling_factor', 'pred_rnn_layers', 'pred_hidden'] },
};

/** Values the native code also exits on: negative integers, malformed lists, lists that disagree. */
const INVALID: { family: string; key: string; value: string }[] = [
  { family: 'kokoro', key: 'n_speakers', value: '-1' },
  { family: 'kokoro', key: 'style_dim', value: '510,2,256' },
  { family: 'kitten', key: 'has_espeak', value: '0' },
  { family: 'kitten', key: 'style_dim', value: '256' },
  { family: 'sensevoice', key: 'neg_mean', value: 'a,b' },
  { family: 'whisper', key: 'all_language_codes', value: 'en' },
  { family: 'parakeet', key: 'feat_dim', value: '-3' },
];

/** Rewrites an ONNX file's metadata: `value` undefined removes `key`. */
async function setMetadata(path: string, key: string, value: string | undefined): Promise<void> {
  const model = onnx.ModelProto.decode(await readFile(path));
  const props = model.metadataProps.filter((p) => p.key !== key);
  if (value !== undefined) props.push(onnx.StringStringEntryProto.create({ key, value }));
  model.metadataProps = props;
  await writeFile(path, onnx.ModelProto.encode(model).finish());
}

let fixtures: string;
let work: string;
before(async () => {
  fixtures = await fixtureModelsDir();
  work = await mkdtemp(join(tmpdir(), 'vocable-metadata-'));
});
after(() => rm(work, { recursive: true, force: true }));

async function copyModel(family: string, as: string, into = work): Promise<string> {
  const dir = join(into, as);
  await cp(join(fixtures, family), dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}

describe('metadata the native code requires', () => {
  test('every fixture folder has what its family needs (the check refuses nothing real)', async () => {
    const found = await discoverModels(fixtures);
    assert.deepEqual(found.broken, []);
  });

  for (const [family, { file, keys }] of Object.entries(REQUIRED)) {
    test(`${family}: an ONNX file without any one of ${keys.length} required keys is reported by folder and key`, async () => {
      const models = await mkdtemp(join(work, `${family}-`));
      for (const key of keys) {
        const dir = await copyModel(family, `${family}-no-${key}`, models);
        await setMetadata(join(dir, file), key, undefined);
      }
      const found = await discoverModels(models);
      assert.deepEqual(found.models.map((m) => m.id), [], 'none is handed to the engine');
      for (const key of keys) {
        const broken = found.broken.find((b) => b.id === `${family}-no-${key}`);
        assert.ok(broken, `${family}-no-${key} is reported`);
        assert.match(broken.reason, new RegExp(`\\b${key}\\b`), `${family}-no-${key}: ${broken.reason}`);
      }
    });
  }

  test('values the native code exits on are reported too', async () => {
    const models = await mkdtemp(join(work, 'invalid-'));
    for (const { family, key, value } of INVALID) {
      const dir = await copyModel(family, `${family}-bad-${key}`, models);
      await setMetadata(join(dir, REQUIRED[family]!.file), key, value);
    }
    const found = await discoverModels(models);
    assert.deepEqual(found.models.map((m) => m.id), []);
    for (const { family, key } of INVALID) {
      const broken = found.broken.find((b) => b.id === `${family}-bad-${key}`);
      assert.match(broken?.reason ?? 'not reported', new RegExp(`\\b${key}\\b`), `${family}-bad-${key}`);
    }
  });
});

describe('a misdetected folder in a running server', () => {
  let server: RunningServer;
  let models: string;
  const CLIP = sharedClip('spk1_snt1.wav');
  const transcribe = (model: string) => fetch(`${server.url}/v1/audio/transcriptions`, { method: 'POST', body: form({ model }, { bytes: CLIP, name: 'clip.wav' }) });
  const speak = (body: object) => fetch(`${server.url}/v1/audio/speech`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: 'Hello there.', response_format: 'wav', ...body }) });
  /** The request's answer, or a failure that says the server is gone. */
  const alive = async (response: Promise<Response>, what: string) =>
    response.catch(() => assert.fail(`no answer to ${what}: the server exited (${server.child.exitCode}): ${server.log().trim().split('\n').slice(-2).join(' | ')}`));

  before(async () => {
    models = await mkdtemp(join(work, 'served-'));
    const kokoro = await copyModel('kokoro', 'kokoro-no-voices', models);
    await rm(join(kokoro, 'voices.bin'));
    await copyModel('kokoro', 'kokoro', models);
    for (const name of ['sensevoice', 'pocket', 'silero-vad']) await copyModel(name, name, models);
    server = await startServer(['--models-dir', models, '--data-dir', join(models, '.data'), '--offline']);
  });
  after(async () => {
    await server.stop();
  });

  test('a Kokoro folder without voices.bin is reported as Kokoro missing voices.bin; transcription and speech with it are refused, the rest works', async () => {
    const listed = (await (await alive(fetch(`${server.url}/v1/models`), 'GET /v1/models')).json()) as { data: { id: string; alias_for?: string }[] };
    assert.deepEqual(listed.data.filter((m) => m.alias_for === undefined).map((m) => m.id).sort(), ['kokoro', 'pocket', 'sensevoice']);
    assert.match(server.log(), /kokoro-no-voices.*Kokoro model is missing voices\.bin/);

    for (const response of [await alive(transcribe('kokoro-no-voices'), 'transcription with the broken folder'), await alive(speak({ model: 'kokoro-no-voices' }), 'speech with the broken folder')]) {
      assert.equal(response.status, 503);
      assert.match(((await response.json()) as { error: { message: string } }).error.message, /'kokoro-no-voices' is installed but cannot be used: Kokoro model is missing voices\.bin/);
    }
    const text = await alive(transcribe('sensevoice'), 'transcription with SenseVoice');
    assert.equal(text.status, 200);
    assert.equal(((await text.json()) as { text: string }).text, SENSEVOICE_TEXT);
    assert.equal((await alive(speak({ model: 'pocket', ref_audio: base64(CLIP) }), 'speech with Pocket')).status, 200);
    assert.equal((await alive(fetch(`${server.url}/health`), '/health')).status, 200);
  });

  test('a folder broken after start-up (voices.bin cut short, which the engine exits on) is checked again before loading: 503 naming the file, the server stays up', async () => {
    await truncate(join(models, 'kokoro', 'voices.bin'), 1024);
    const response = await alive(speak({ model: 'kokoro' }), 'speech with the folder broken after start-up');
    assert.equal(response.status, 503);
    assert.match(((await response.json()) as { error: { message: string } }).error.message, /'kokoro' failed to load: .*voices\.bin holds 1024 bytes/);
    assert.equal((await alive(fetch(`${server.url}/health`), '/health')).status, 200);
    assert.equal((await alive(transcribe('sensevoice'), 'transcription after')).status, 200);
  });
});
