import type { MetadataContract } from '../metadata-contract.js';
import type { SttFamily } from '../stt-family.js';
import { recognizerConfig } from './recognizer-config.js';

const LANGUAGES = ['zh', 'en', 'ja', 'ko', 'yue'];

/** offline-sense-voice-model.cc; FunASR Nano exports (comment says Nano) lack the language and ITN ids. */
const SENSEVOICE_METADATA: MetadataContract = {
  file: 'model',
  required: (meta) => ({
    vocab_size: 'int',
    lfr_window_size: 'int',
    lfr_window_shift: 'int',
    normalize_samples: 'int',
    ...(meta.get('comment')?.includes('Nano')
      ? {}
      : { with_itn: 'int', without_itn: 'int', lang_auto: 'int', lang_zh: 'int', lang_en: 'int', lang_ja: 'int', lang_ko: 'int', lang_yue: 'int', neg_mean: 'floats', inv_stddev: 'floats' }),
  }),
  optional: { blank_id: 'int' },
  identifies: (meta) => meta.get('model_type') === 'sense_voice_ctc',
};

/** SenseVoice: a CTC model for five languages (or `auto`), with token times and punctuation (ITN). */
export const sensevoice: SttFamily = {
  task: 'stt',
  id: 'sensevoice',
  displayName: 'SenseVoice',
  reconfigurable: false,
  files: [
    { role: 'model', names: ['model.int8.onnx', 'model.onnx'], kind: 'file' },
    { role: 'tokens', names: ['tokens.txt'], kind: 'file' },
  ],
  // model.onnx with tokens.txt and none of the other families' marks.
  matches: (names) => (names.has('model.onnx') || names.has('model.int8.onnx')) && names.has('tokens.txt') && !names.has('voices.bin'),
  metadata: [SENSEVOICE_METADATA],

  capabilities: async () => ({
    task: 'stt',
    family: 'sensevoice',
    languages: LANGUAGES,
    translate: false,
    word_timestamps: true,
    sample_rate: 16000,
    max_segment_seconds: 30,
  }),

  recognizerConfig: (files, options, numThreads) =>
    recognizerConfig({ senseVoice: { model: files.model, language: options.language ?? 'auto', useInverseTextNormalization: 1 } }, files.tokens!, numThreads),

  // SenseVoice reports the language as a tag such as "<|en|>".
  resultLanguage: (result) => result.lang?.replace(/[<|>]/g, '') || undefined,
};
