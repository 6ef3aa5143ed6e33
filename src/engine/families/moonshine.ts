import type { SttFamily } from '../stt-family.js';
import { recognizerConfig } from './recognizer-config.js';

/** Moonshine: small, fast English models (preprocess, encode, then cached/uncached decode). */
export const moonshine: SttFamily = {
  task: 'stt',
  id: 'moonshine',
  displayName: 'Moonshine',
  reconfigurable: false,
  files: [
    { role: 'preprocessor', names: ['preprocess.onnx', 'preprocess.int8.onnx'], kind: 'file' },
    { role: 'encoder', names: ['encode.int8.onnx', 'encode.onnx'], kind: 'file' },
    { role: 'uncachedDecoder', names: ['uncached_decode.int8.onnx', 'uncached_decode.onnx'], kind: 'file' },
    { role: 'cachedDecoder', names: ['cached_decode.int8.onnx', 'cached_decode.onnx'], kind: 'file' },
    { role: 'tokens', names: ['tokens.txt'], kind: 'file' },
  ],
  matches: (names) => names.has('preprocess.onnx') || names.has('preprocess.int8.onnx'),

  capabilities: async () => ({
    task: 'stt',
    family: 'moonshine',
    languages: ['en'],
    translate: false,
    word_timestamps: false,
    sample_rate: 16000,
    max_segment_seconds: 30,
  }),

  recognizerConfig: (files, _options, numThreads) =>
    recognizerConfig(
      { moonshine: { preprocessor: files.preprocessor, encoder: files.encoder, uncachedDecoder: files.uncachedDecoder, cachedDecoder: files.cachedDecoder } },
      files.tokens!,
      numThreads,
    ),
};
