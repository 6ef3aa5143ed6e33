import type { TtsFamily } from '../family.js';
import { checkStyleTable } from '../model-files-check.js';
import { readOnnxMetadata } from '../onnx-metadata.js';

/**
 * The engine ends the whole process (not just the load) when a Kitten model lacks this metadata
 * or voices.bin does not hold n_speakers × style_dim floats, so both are checked at discovery.
 */
async function checkKittenFiles(meta: Map<string, string>, voicesPath: string): Promise<number> {
  if (meta.get('model_type') !== 'kitten-tts') {
    throw new Error(`model_type is '${meta.get('model_type') ?? ''}', not 'kitten-tts': use a sherpa-onnx kitten-* release`);
  }
  const speakers = Number(meta.get('n_speakers'));
  const styleDim = (meta.get('style_dim') ?? '').split(',').map(Number);
  if (!(speakers > 0) || styleDim.length !== 2 || !styleDim.every((d) => d > 0) || !meta.has('sample_rate') || meta.get('has_espeak') !== '1') {
    throw new Error('the model lacks the n_speakers, style_dim, sample_rate or has_espeak=1 metadata sherpa-onnx needs');
  }
  await checkStyleTable(voicesPath, speakers, styleDim);
  return speakers;
}

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
  chunkGapSeconds: 0.1,
  takesLanguage: false,
  skipsUnreadableText: true,

  async capabilities(files) {
    const meta = await readOnnxMetadata(files.model!);
    const count = await checkKittenFiles(meta, files.voices!);
    const names = (meta.get('speaker_names') ?? '').split(',').map((v) => v.trim()).filter(Boolean);
    const language = meta.get('voice') ?? 'en-us';
    return {
      task: 'tts',
      family: 'kitten',
      cloning: 'none',
      voices: names.length === count ? names : Array.from({ length: count }, (_, i) => String(i)),
      sample_rate: Number(meta.get('sample_rate')),
      languages: [language],
      speed: true,
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
