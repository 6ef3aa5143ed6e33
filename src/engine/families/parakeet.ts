import type { SttFamily } from '../stt-family.js';
import { readOnnxMetadata } from '../onnx-metadata.js';
import { recognizerConfig } from './recognizer-config.js';

/** Parakeet (NeMo transducer, TDT): encoder, decoder and joiner, with token times. */
export const parakeet: SttFamily = {
  task: 'stt',
  id: 'parakeet',
  displayName: 'Parakeet (NeMo transducer)',
  files: [
    { role: 'encoder', names: ['encoder.int8.onnx', 'encoder.onnx'], kind: 'file' },
    { role: 'decoder', names: ['decoder.int8.onnx', 'decoder.onnx'], kind: 'file' },
    { role: 'joiner', names: ['joiner.int8.onnx', 'joiner.onnx'], kind: 'file' },
    { role: 'tokens', names: ['tokens.txt'], kind: 'file' },
  ],
  matches: (names) => names.has('joiner.onnx') || names.has('joiner.int8.onnx'),

  async capabilities(files) {
    // An export may list its languages in the encoder's metadata; Parakeet TDT v2 is English only.
    const meta = await readOnnxMetadata(files.encoder!);
    return {
      task: 'stt',
      family: 'parakeet',
      languages: (meta.get('languages') ?? 'en').split(',').map((l) => l.trim()),
      translate: false,
      word_timestamps: true,
      sample_rate: 16000,
      max_segment_seconds: 30,
    };
  },

  recognizerConfig: (files, _options, numThreads) =>
    recognizerConfig({ transducer: { encoder: files.encoder, decoder: files.decoder, joiner: files.joiner }, modelType: 'nemo_transducer' }, files.tokens!, numThreads, 128),
};
