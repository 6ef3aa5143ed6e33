import type { SttFamily } from '../stt-family.js';
import { readOnnxMetadata } from '../onnx-metadata.js';
import { recognizerConfig } from './recognizer-config.js';

/**
 * Whisper: 30 s windows, about a hundred languages in the multilingual models, and translation
 * into English (the task token). English-only models (`*.en`) neither detect nor translate.
 */
export const whisper: SttFamily = {
  task: 'stt',
  id: 'whisper',
  displayName: 'Whisper',
  reconfigurable: true,
  files: [
    { role: 'encoder', names: [/^[\w.-]+-encoder\.int8\.onnx$/, /^[\w.-]+-encoder\.onnx$/], kind: 'file', describe: '<size>-encoder.onnx' },
    { role: 'decoder', names: [/^[\w.-]+-decoder\.int8\.onnx$/, /^[\w.-]+-decoder\.onnx$/], kind: 'file', describe: '<size>-decoder.onnx' },
    { role: 'tokens', names: [/^[\w.-]+-tokens\.txt$/], kind: 'file', describe: '<size>-tokens.txt' },
  ],
  matches: (names) => [...names].some((n) => /-encoder(\.int8)?\.onnx$/.test(n)) && [...names].some((n) => /-tokens\.txt$/.test(n)),

  async capabilities(files) {
    // sherpa-onnx's export writes the metadata into the encoder only; the engine reads it there.
    const meta = await readOnnxMetadata(files.encoder!);
    const multilingual = meta.get('is_multilingual') !== '0';
    const languages = (meta.get('all_language_codes') ?? '').split(',').map((l) => l.trim()).filter(Boolean);
    return {
      task: 'stt',
      family: 'whisper',
      languages: multilingual ? languages : ['en'],
      translate: multilingual,
      word_timestamps: false,
      sample_rate: 16000,
      max_segment_seconds: 30,
    };
  },

  recognizerConfig: (files, options, numThreads) =>
    recognizerConfig({ whisper: { encoder: files.encoder, decoder: files.decoder, language: options.language ?? '', task: options.task, tailPaddings: -1 } }, files.tokens!, numThreads),

  resultLanguage: (result) => result.lang || undefined,
};
