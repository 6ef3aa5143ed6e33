import type { SttFamily } from '../stt-family.js';
import { atoi, listOf, type MetadataContract } from '../metadata-contract.js';
import { readOnnxMetadata } from '../onnx-metadata.js';
import { recognizerConfig } from './recognizer-config.js';

/** offline-whisper-model.cc, which reads the encoder's metadata; multilingual models list their languages. */
const WHISPER_METADATA: MetadataContract = {
  file: 'encoder',
  required: (meta) => ({
    ...Object.fromEntries(['n_mels', 'n_text_layer', 'n_text_ctx', 'n_text_state', 'n_vocab', 'sot', 'eot', 'blank_id', 'translate', 'transcribe', 'is_multilingual', 'no_timestamps', 'no_speech'].map((key) => [key, 'int' as const])),
    sot_sequence: 'ints',
    ...(atoi(meta.get('is_multilingual') ?? '') !== 0 ? { all_language_tokens: 'ints' as const, all_language_codes: 'strings' as const } : {}),
  }),
  optional: { n_alignment_heads: 'int' },
  rules: (meta) => {
    const tokens = meta.get('all_language_tokens');
    return tokens !== undefined && listOf(tokens).length !== listOf(meta.get('all_language_codes')!).length ? ['all_language_tokens and all_language_codes differ in length'] : [];
  },
};

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
  metadata: [WHISPER_METADATA],

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
