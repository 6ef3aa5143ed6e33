import type { TtsFamily } from '../family.js';
import { atoi, listOf, type MetadataContract } from '../metadata-contract.js';
import { checkStyleTable } from '../model-files-check.js';
import { readOnnxMetadata } from '../onnx-metadata.js';

/** offline-tts-kitten-model.cc: a kitten-tts model_type, espeak, style_dim [rows, dim]. */
const KITTEN_METADATA: MetadataContract = {
  file: 'model',
  required: { model_type: 'text', sample_rate: 'int', n_speakers: 'int', has_espeak: 'int', style_dim: 'ints' },
  optional: { version: 'int', max_token_len: 'int', start_id: 'int', end_id: 'int', pad_id: 'int', add_pad_after_end: 'int', speaker_speed_priors: 'floats' },
  rules: (meta) => {
    const problems: string[] = [];
    if (meta.get('model_type') !== 'kitten-tts') problems.push(`model_type is '${meta.get('model_type')}', not 'kitten-tts': use a sherpa-onnx kitten-* release`);
    if (meta.get('has_espeak') !== '1') problems.push(`has_espeak='${meta.get('has_espeak')}', but the engine needs espeak-ng (1)`);
    const dims = listOf(meta.get('style_dim')!).map(Number);
    if (dims.length !== 2 || !(dims[0]! > 0)) problems.push(`style_dim='${meta.get('style_dim')}' is not 2 numbers, the first above 0`);
    const priors = meta.get('speaker_speed_priors');
    if (priors && listOf(priors).length !== atoi(meta.get('n_speakers')!)) problems.push('speaker_speed_priors does not give one number per speaker');
    return problems;
  },
  identifies: (meta) => meta.get('model_type') === 'kitten-tts',
};

/**
 * KittenTTS: small StyleTTS-style models with preset voices (a style table in voices.bin, named
 * in the model's metadata), espeak-ng phonemes and native speed. Its folders share voices.bin,
 * tokens.txt and espeak-ng-data/ with Kokoro, and newer releases its model.onnx too; discovery
 * tries Kitten first and its model_type metadata tells them apart.
 */
export const kitten: TtsFamily = {
  task: 'tts',
  id: 'kitten',
  displayName: 'KittenTTS',
  files: [
    { role: 'model', names: ['model.fp16.onnx', 'model.fp32.onnx', 'model.int8.onnx', 'model.onnx'], kind: 'file' },
    { role: 'voices', names: ['voices.bin'], kind: 'file' },
    { role: 'tokens', names: ['tokens.txt'], kind: 'file' },
    { role: 'dataDir', names: ['espeak-ng-data'], kind: 'dir' },
  ],
  // v0.8 releases name the model model[.int8].onnx, as Kokoro does: its metadata (model_type) decides.
  matches: (names) => names.has('voices.bin') && ['model.fp16.onnx', 'model.fp32.onnx', 'model.int8.onnx', 'model.onnx'].some((n) => names.has(n)),
  metadata: [KITTEN_METADATA],
  takesLanguage: false,
  skipsUnreadableText: true,

  async capabilities(files) {
    const meta = await readOnnxMetadata(files.model!);
    const count = atoi(meta.get('n_speakers')!);
    // The engine also exits when voices.bin does not hold n_speakers × style_dim floats.
    await checkStyleTable(files.voices!, count, listOf(meta.get('style_dim')!).map(Number));
    const names = (meta.get('speaker_names') ?? '').split(',').map((v) => v.trim()).filter(Boolean);
    const language = meta.get('voice') ?? 'en-us';
    return {
      task: 'tts',
      family: 'kitten',
      cloning: 'none',
      voices: names.length === count ? names : Array.from({ length: count }, (_, i) => String(i)),
      sample_rate: Number(meta.get('sample_rate')),
      languages: [language],
      speed: 'native',
      controls: {},
    };
  },

  // lengthScale 1 leaves the request's speed as the model's speed input.
  nativeModelConfig: (files) => ({
    kitten: { model: files.model, voices: files.voices, tokens: files.tokens, dataDir: files.dataDir, lengthScale: 1 },
  }),

  generateRequest: ({ text, speed, speakerId }) => ({
    text,
    sid: speakerId,
    speed,
    generationConfig: { sid: speakerId, speed },
  }),
};
