import type { TtsFamily } from '../family.js';
import { listOf, type MetadataContract } from '../metadata-contract.js';
import { checkStyleTable } from '../model-files-check.js';
import { readOnnxMetadata } from '../onnx-metadata.js';

/**
 * The language of each Kokoro voice, told by the first letter of its name (hexgrad's naming, as
 * in Kokoro-82M's VOICES.md), and the `lang` sherpa-onnx needs for it. For non-Chinese text
 * `lang` is an espeak-ng voice (`kokoro-multi-lang-lexicon.cc`); an unknown one makes espeak-ng
 * fail and the engine silently drop the text. British English is espeak-ng's `en` (there is no
 * `en-gb` voice). Chinese text is read from lexicon-zh.txt whatever `lang` says, so Mandarin
 * takes US English for the Latin words inside it, as the engine's own default does.
 */
const VOICE_LANGUAGES: Readonly<Record<string, { language: string; lang: string }>> = {
  a: { language: 'en-us', lang: 'en-us' },
  b: { language: 'en-gb', lang: 'en' },
  e: { language: 'es', lang: 'es' },
  f: { language: 'fr', lang: 'fr' },
  h: { language: 'hi', lang: 'hi' },
  i: { language: 'it', lang: 'it' },
  p: { language: 'pt-br', lang: 'pt-br' },
  j: { language: 'ja', lang: 'ja' },
  z: { language: 'zh', lang: 'en-us' },
};
const ENGINE_LANG: Readonly<Record<string, string>> = Object.fromEntries(Object.values(VOICE_LANGUAGES).map((v) => [v.language, v.lang]));

/** The languages a multi-lingual Kokoro (metadata version ≥ 2: v1.0, v1.1-zh) speaks: those of its voices. */
function voiceLanguages(voices: readonly string[]): string[] {
  const known = Object.values(VOICE_LANGUAGES).map((v) => v.language);
  const spoken = new Set(voices.map((v) => VOICE_LANGUAGES[v[0]!]?.language));
  return known.filter((l) => spoken.has(l));
}

/** offline-tts-kokoro-model.cc: style_dim is [rows, 1, dim]. */
const KOKORO_METADATA: MetadataContract = {
  file: 'model',
  required: { sample_rate: 'int', n_speakers: 'int', has_espeak: 'int', style_dim: 'ints' },
  optional: { version: 'int' },
  rules: (meta) => {
    const dims = listOf(meta.get('style_dim')!).map(Number);
    return dims.length === 3 && dims[1] === 1 ? [] : [`style_dim='${meta.get('style_dim')}' is not 3 numbers with 1 in the middle`];
  },
  identifies: (meta) => meta.get('model_type') === 'kokoro',
};

/**
 * Kokoro: preset voices (a style table in voices.bin), espeak-ng phonemes, native speed. v0.19
 * speaks English only; v1.0 (multi-lingual, with lexicons) speaks the languages of its voices,
 * one per request.
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
  metadata: [KOKORO_METADATA],
  takesLanguage: true,
  skipsUnreadableText: true,

  async capabilities(files) {
    const meta = await readOnnxMetadata(files.model!);
    const voices = (meta.get('speaker_names') ?? '').split(',').map((v) => v.trim()).filter(Boolean);
    const count = Number(meta.get('n_speakers') ?? voices.length);
    const styleDim = (meta.get('style_dim') ?? '').split(',').map(Number);
    if (count > 0 && styleDim.length > 0 && styleDim.every((d) => d > 0)) await checkStyleTable(files.voices!, count, styleDim);
    const espeakVoice = meta.get('voice') ?? 'en-us';
    const multilingual = Number(meta.get('version') ?? 1) >= 2;
    const spoken = multilingual ? voiceLanguages(voices) : [];
    const languages = spoken.length > 0 ? spoken : [espeakVoice];
    return {
      task: 'tts',
      family: 'kokoro',
      cloning: 'none',
      voices: voices.length > 0 ? voices : Array.from({ length: count }, (_, i) => String(i)),
      sample_rate: Number(meta.get('sample_rate') ?? 24000),
      languages,
      speed: 'native',
      controls: { language: { values: languages, default: languages.includes(espeakVoice) ? espeakVoice : languages[0]! } },
    };
  },

  voiceLanguage: (voice) => VOICE_LANGUAGES[voice[0]!]?.language,

  // Kokoro ≥ 1.0 exits the process unless it gets a lexicon or a language, so one is always set.
  // Lexicons as upstream's examples pass them: US English and Chinese. The British one repeats
  // the US one's words (the engine warns of each duplicate), and espeak-ng reads English anyway.
  nativeModelConfig: (files, capabilities) => {
    const lexicons = (files.lexicon ?? '').split(',').filter((f) => f && !f.endsWith('lexicon-gb-en.txt'));
    return {
      kokoro: {
        model: files.model,
        voices: files.voices,
        tokens: files.tokens,
        dataDir: files.dataDir,
        ...(lexicons.length > 0 ? { lexicon: lexicons.join(',') } : { lang: ENGINE_LANG[capabilities.controls.language!.default] ?? capabilities.controls.language!.default }),
      },
    };
  },

  generateRequest: ({ text, speed, speakerId, language }) => ({
    text,
    sid: speakerId,
    speed,
    generationConfig: { sid: speakerId, speed, ...(language ? { extra: { lang: ENGINE_LANG[language] ?? language } } : {}) },
  }),
};
