import type { TtsFamily } from '../family.js';
import { readOnnxMetadata } from '../onnx-metadata.js';

/** Kokoro: preset voices (a style table in voices.bin), espeak-ng phonemes, native speed. */
export const kokoro: TtsFamily = {
  id: 'kokoro',
  displayName: 'Kokoro',
  files: [
    { role: 'model', names: ['model.onnx', 'model.int8.onnx', 'kokoro.onnx'], kind: 'file' },
    { role: 'voices', names: ['voices.bin'], kind: 'file' },
    { role: 'tokens', names: ['tokens.txt'], kind: 'file' },
    { role: 'dataDir', names: ['espeak-ng-data'], kind: 'dir' },
  ],
  matches: (names) => names.has('voices.bin') && !names.has('vocab.json'),

  async capabilities(files) {
    const meta = await readOnnxMetadata(files.model!);
    const voices = (meta.get('speaker_names') ?? '').split(',').map((v) => v.trim()).filter(Boolean);
    const count = Number(meta.get('n_speakers') ?? voices.length);
    return {
      task: 'tts',
      family: 'kokoro',
      cloning: 'none',
      voices: voices.length > 0 ? voices : Array.from({ length: count }, (_, i) => String(i)),
      sample_rate: Number(meta.get('sample_rate') ?? 24000),
      languages: (meta.get('voice') ?? 'en-us').split(',').map((l) => l.trim()),
      speed: true,
    };
  },

  nativeModelConfig: (files) => ({
    kokoro: { model: files.model, voices: files.voices, tokens: files.tokens, dataDir: files.dataDir },
  }),

  generateRequest: ({ text, speed, speakerId }) => ({ text, sid: speakerId, speed }),
};
