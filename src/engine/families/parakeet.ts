import type { SttFamily } from '../stt-family.js';
import type { MetadataContract } from '../metadata-contract.js';
import { readOnnxMetadata } from '../onnx-metadata.js';
import { recognizerConfig } from './recognizer-config.js';

/**
 * offline-transducer-nemo-model.cc reads these from the encoder. An icefall Zipformer (also
 * encoder, decoder and joiner) lacks them, and the engine would exit on it.
 */
const NEMO_METADATA: MetadataContract = {
  file: 'encoder',
  required: { vocab_size: 'int', subsampling_factor: 'int', pred_rnn_layers: 'int', pred_hidden: 'int' },
  optional: { is_giga_am: 'int', feat_dim: 'int' },
  hint: 'only NeMo transducers (Parakeet) are supported',
};

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
  metadata: [NEMO_METADATA],

  async capabilities(files) {
    const meta = await readOnnxMetadata(files.encoder!);
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
