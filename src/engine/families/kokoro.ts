import { basename } from 'node:path';
import type { TtsFamily } from '../family.js';
import { checkStyleTable } from '../model-files-check.js';
import { readOnnxMetadata } from '../onnx-metadata.js';

/** lexicon-us-en.txt → en-us, lexicon-zh.txt → zh: the languages a multi-lingual Kokoro reads. */
function lexiconLanguage(path: string): string {
  const [region, language] = basename(path, '.txt').replace(/^lexicon-/, '').split('-');
  return language ? `${language}-${region}` : region!;
}

/**
 * Kokoro: preset voices (a style table in voices.bin), espeak-ng phonemes, native speed, and a
 * per-request language among its lexicons (Kokoro ≥ 1.0) or its espeak voice.
 */
export const kokoro: TtsFamily = {
  task: 'tts',
  id: 'kokoro',
  displayName: 'Kokoro',
  files: [
    { role: 'model', names: ['model.onnx', 'model.int8.onnx', 'kokoro.onnx'], kind: 'file' },
    { role: 'voices', names: ['voices.bin'], kind: 'file' },
    { role: 'tokens', names: ['tokens.txt'], kind: 'file' },
    { role: 'dataDir', names: ['espeak-ng-data'], kind: 'dir' },
    { role: 'lexicon', pattern: /^lexicon-[\w-]+\.txt$/, kind: 'files' },
  ],
  matches: (names) => names.has('voices.bin') && !names.has('vocab.json'),
  chunkGapSeconds: 0.1,
  takesLanguage: true,

  async capabilities(files) {
    const meta = await readOnnxMetadata(files.model!);
    const voices = (meta.get('speaker_names') ?? '').split(',').map((v) => v.trim()).filter(Boolean);
    const count = Number(meta.get('n_speakers') ?? voices.length);
    const styleDim = (meta.get('style_dim') ?? '').split(',').map(Number);
    if (count > 0 && styleDim.length > 0 && styleDim.every((d) => d > 0)) await checkStyleTable(files.voices!, count, styleDim);
    const espeakVoice = meta.get('voice') ?? 'en-us';
    const lexicons = files.lexicon ? files.lexicon.split(',').map(lexiconLanguage) : [];
    const languages = [...new Set([espeakVoice, ...lexicons])];
    return {
      task: 'tts',
      family: 'kokoro',
      cloning: 'none',
      voices: voices.length > 0 ? voices : Array.from({ length: count }, (_, i) => String(i)),
      sample_rate: Number(meta.get('sample_rate') ?? 24000),
      languages,
      speed: true,
      controls: { language: { values: languages, default: espeakVoice } },
    };
  },

  // Kokoro ≥ 1.0 exits the process unless it gets a lexicon or a language, so one is always set.
  nativeModelConfig: (files, capabilities) => ({
    kokoro: {
      model: files.model,
      voices: files.voices,
      tokens: files.tokens,
      dataDir: files.dataDir,
      ...(files.lexicon ? { lexicon: files.lexicon } : { lang: capabilities.controls.language!.default }),
    },
  }),

  generateRequest: ({ text, speed, speakerId, language }) => ({
    text,
    sid: speakerId,
    speed,
    generationConfig: { sid: speakerId, speed, ...(language ? { extra: { lang: language } } : {}) },
  }),
};
