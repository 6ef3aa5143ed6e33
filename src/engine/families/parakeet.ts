import type { SttFamily } from '../stt-family.js';
import { readOnnxMetadata } from '../onnx-metadata.js';
import { recognizerConfig } from './recognizer-config.js';

/** Metadata sherpa-onnx's NeMo transducer reads from the encoder, and exits without. */
const NEMO_METADATA = ['vocab_size', 'subsampling_factor', 'normalize_type', 'pred_rnn_layers', 'pred_hidden'] as const;

/** Parakeet TDT 0.6B v3's 25 European languages, as NVIDIA's model card lists them. */
const V3_LANGUAGES = ['bg', 'hr', 'cs', 'da', 'nl', 'en', 'et', 'fi', 'fr', 'de', 'el', 'hu', 'it', 'lv', 'lt', 'mt', 'pl', 'pt', 'ro', 'sk', 'sl', 'es', 'sv', 'ru', 'uk'];

/**
 * The languages of a known NeMo model, told by the model url its export writes into the
 * encoder: the exports list no languages of their own (upstream's export_onnx.py for v2 and v3).
 */
const KNOWN_LANGUAGES: readonly (readonly [RegExp, readonly string[]])[] = [
  [/\/parakeet-tdt-0\.6b-v3$/, V3_LANGUAGES],
  [/\/parakeet-tdt-0\.6b-v2$/, ['en']],
];

/** Parakeet (NeMo transducer, TDT): encoder, decoder and joiner, with token times. */
export const parakeet: SttFamily = {
  task: 'stt',
  id: 'parakeet',
  displayName: 'Parakeet (NeMo transducer)',
  reconfigurable: false,
  files: [
    { role: 'encoder', names: ['encoder.int8.onnx', 'encoder.onnx'], kind: 'file' },
    { role: 'decoder', names: ['decoder.int8.onnx', 'decoder.onnx'], kind: 'file' },
    { role: 'joiner', names: ['joiner.int8.onnx', 'joiner.onnx'], kind: 'file' },
    { role: 'tokens', names: ['tokens.txt'], kind: 'file' },
  ],
  matches: (names) => names.has('joiner.onnx') || names.has('joiner.int8.onnx'),

  async capabilities(files) {
    const meta = await readOnnxMetadata(files.encoder!);
    // The engine exits the whole process on a transducer without NeMo's metadata (an icefall
    // Zipformer, say), so such a folder is refused here, by name, instead.
    const missing = NEMO_METADATA.filter((key) => !meta.has(key));
    if (missing.length > 0) {
      throw new Error(`its encoder lacks the NeMo metadata ${missing.join(', ')}: only NeMo transducers (Parakeet) are supported`);
    }
    return {
      task: 'stt',
      family: 'parakeet',
      // An unknown NeMo model: no list, so no language is refused (the engine takes none anyway).
      languages: [...(KNOWN_LANGUAGES.find(([url]) => url.test(meta.get('url') ?? ''))?.[1] ?? [])],
      translate: false,
      word_timestamps: true,
      sample_rate: 16000,
      max_segment_seconds: 30,
    };
  },

  recognizerConfig: (files, _options, numThreads) =>
    recognizerConfig({ transducer: { encoder: files.encoder, decoder: files.decoder, joiner: files.joiner }, modelType: 'nemo_transducer' }, files.tokens!, numThreads, 128),
};
