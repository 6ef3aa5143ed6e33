import { referenceSeconds, type ReferencePolicy, type TtsFamily } from '../family.js';

const SAMPLE_RATE = 24000;
const REFERENCE: ReferencePolicy = { sampleRate: SAMPLE_RATE, maxSeconds: 10, overLength: 'truncate' };

/**
 * Pocket TTS: clones a voice from reference audio alone (no transcript); 24 kHz. Its engine
 * ignores `speed`, so the adapter says so and the server refuses a speed other than 1.
 */
export const pocket: TtsFamily = {
  task: 'tts',
  id: 'pocket',
  displayName: 'Pocket TTS',
  files: [
    { role: 'lmMain', names: ['lm_main.int8.onnx', 'lm_main.onnx'], kind: 'file' },
    { role: 'lmFlow', names: ['lm_flow.int8.onnx', 'lm_flow.onnx'], kind: 'file' },
    { role: 'encoder', names: ['encoder.int8.onnx', 'encoder.onnx'], kind: 'file' },
    { role: 'decoder', names: ['decoder.int8.onnx', 'decoder.onnx'], kind: 'file' },
    { role: 'textConditioner', names: ['text_conditioner.int8.onnx', 'text_conditioner.onnx'], kind: 'file' },
    { role: 'vocabJson', names: ['vocab.json'], kind: 'file' },
    { role: 'tokenScoresJson', names: ['token_scores.json'], kind: 'file' },
  ],
  matches: (names) => [...names].some((n) => n.startsWith('lm_main') || n.startsWith('text_conditioner')),
  reference: REFERENCE,
  takesLanguage: false,
  skipsUnreadableText: false,

  capabilities: async () => ({
    task: 'tts',
    family: 'pocket',
    cloning: 'audio',
    voices: [],
    sample_rate: SAMPLE_RATE,
    reference_seconds: referenceSeconds(REFERENCE),
    languages: ['en'],
    speed: 'time_stretch',
    controls: {
      temperature: { type: 'number', min: 0, max: 2, default: 0.7 },
      seed: { type: 'integer', min: 0, max: 2147483647 },
      num_steps: { type: 'integer', min: 1, max: 64, default: 5 },
      max_tokens: { type: 'integer', min: 1, max: 5000, default: 500 },
    },
  }),

  nativeModelConfig: (files) => ({
    pocket: {
      lmMain: files.lmMain,
      lmFlow: files.lmFlow,
      encoder: files.encoder,
      decoder: files.decoder,
      textConditioner: files.textConditioner,
      vocabJson: files.vocabJson,
      tokenScoresJson: files.tokenScoresJson,
    },
  }),

  // Pocket reads temperature, seed and max_frames (its audio tokens) from `extra`.
  generateRequest: ({ text, reference, controls }) => {
    const extra: Record<string, number> = {};
    if (controls.temperature !== undefined) extra.temperature = controls.temperature;
    if (controls.seed !== undefined) extra.seed = controls.seed;
    if (controls.max_tokens !== undefined) extra.max_frames = controls.max_tokens;
    return {
      text,
      sid: 0,
      speed: 1,
      generationConfig: {
        referenceAudio: reference?.audio.samples,
        referenceSampleRate: reference?.audio.sampleRate,
        ...(controls.num_steps !== undefined ? { numSteps: controls.num_steps } : {}),
        ...(Object.keys(extra).length > 0 ? { extra } : {}),
      },
    };
  },
};
