import { referenceSeconds, type ReferencePolicy, type TtsFamily } from '../family.js';
import type { MetadataContract } from '../metadata-contract.js';

const SAMPLE_RATE = 24000;
const REFERENCE: ReferencePolicy = { sampleRate: SAMPLE_RATE, maxSeconds: 20, overLength: 'reject' };

/** offline-tts-zipvoice-model.cc reads every key with a default, but exits on a negative one. */
const ZIPVOICE_METADATA: MetadataContract[] = [
  { file: 'encoder', required: {}, optional: { use_espeak: 'int' } },
  { file: 'decoder', required: {}, optional: { version: 'int', feat_dim: 'int', sample_rate: 'int', n_fft: 'int', hop_length: 'int', window_length: 'int', num_mels: 'int' } },
];

/**
 * ZipVoice: flow-matching zero-shot TTS conditioned on a reference clip and its transcript. It
 * reads English through espeak-ng and Chinese through lexicon.txt, choosing by the text itself.
 */
export const zipvoice: TtsFamily = {
  task: 'tts',
  id: 'zipvoice',
  displayName: 'ZipVoice',
  files: [
    { role: 'encoder', names: ['encoder.int8.onnx', 'encoder.onnx', 'text_encoder.onnx'], kind: 'file' },
    { role: 'decoder', names: ['decoder.int8.onnx', 'decoder.onnx', 'fm_decoder.onnx'], kind: 'file' },
    { role: 'vocoder', names: ['vocos_24khz.onnx', 'vocoder.onnx', 'vocos.onnx'], kind: 'file' },
    { role: 'tokens', names: ['tokens.txt'], kind: 'file' },
    { role: 'lexicon', names: ['lexicon.txt'], kind: 'file' },
    { role: 'dataDir', names: ['espeak-ng-data'], kind: 'dir' },
  ],
  matches: (names) => [...names].some((n) => n.startsWith('vocos') || n.startsWith('fm_decoder') || n === 'vocoder.onnx'),
  metadata: ZIPVOICE_METADATA,
  reference: REFERENCE,
  takesLanguage: false,
  skipsUnreadableText: false,

  capabilities: async () => ({
    task: 'tts',
    family: 'zipvoice',
    cloning: 'audio+transcript',
    voices: [],
    sample_rate: SAMPLE_RATE,
    reference_seconds: referenceSeconds(REFERENCE),
    languages: ['en', 'zh'],
    speed: 'native',
    controls: {
      num_steps: { type: 'integer', min: 1, max: 64, default: 5 },
      guidance_scale: { type: 'number', min: 0.1, max: 10, default: 1 },
    },
  }),

  nativeModelConfig: (files) => ({
    zipvoice: {
      encoder: files.encoder,
      decoder: files.decoder,
      vocoder: files.vocoder,
      tokens: files.tokens,
      dataDir: files.dataDir,
      lexicon: files.lexicon,
      featScale: 0.1,
      tShift: 0.5,
      targetRms: 0.1,
      guidanceScale: 1.0,
    },
  }),

  generateRequest: ({ text, speed, reference, controls }) => ({
    text,
    sid: 0,
    speed,
    generationConfig: {
      speed,
      referenceAudio: reference?.audio.samples,
      referenceSampleRate: reference?.audio.sampleRate,
      referenceText: reference?.text,
      ...(controls.num_steps !== undefined ? { numSteps: controls.num_steps } : {}),
      ...(controls.guidance_scale !== undefined ? { extra: { guidance_scale: controls.guidance_scale } } : {}),
    },
  }),
};
