import type { SttFamily } from '../stt-family.js';
import { recognizerConfig } from './recognizer-config.js';

const LANGUAGES = ['zh', 'en', 'ja', 'ko', 'yue'];

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
