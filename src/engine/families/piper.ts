import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import type { TtsFamily } from '../family.js';
import { atoi, type MetadataContract } from '../metadata-contract.js';
import { readOnnxMetadata } from '../onnx-metadata.js';

/** The parts of Piper's `<voice>.onnx.json` Vocable reads: the voice's and its speakers' names. */
const PiperJson = z.object({
  dataset: z.string().optional(),
  speaker_id_map: z.record(z.string(), z.number().int().nonnegative()).optional(),
});
type PiperJson = z.infer<typeof PiperJson>;

async function readPiperJson(path: string): Promise<PiperJson> {
  const parsed = PiperJson.safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success) throw new Error(`${basename(path)} is not a Piper voice config: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/**
 * offline-tts-vits-model.cc. The engine reads espeak-ng phonemes only for a model whose comment
 * says piper, which sherpa-onnx's vits-piper-* releases add.
 */
const PIPER_METADATA: MetadataContract = {
  file: 'model',
  required: { sample_rate: 'int', n_speakers: 'int', language: 'text', comment: 'text' },
  optional: { add_blank: 'int', speaker_id: 'int', version: 'int', num_emotions: 'int', jieba: 'int', blank_id: 'int', bos_id: 'int', eos_id: 'int', use_eos_bos: 'int', pad_id: 'int', has_g2pw: 'int' },
  rules: (meta) => (meta.get('comment')!.includes('piper') ? [] : [`comment='${meta.get('comment')}' does not say piper: use a sherpa-onnx vits-piper-* release`]),
  identifies: (meta) => meta.get('comment')?.includes('piper') === true,
};

/** Voice names by speaker id: the speaker map of a multi-speaker voice, else the one voice's name. */
function voiceNames(config: PiperJson | undefined, count: number, modelPath: string): string[] {
  // en_US-amy-medium.onnx → amy, when the config does not name its dataset.
  if (count <= 1) return [config?.dataset ?? basename(modelPath, '.onnx').split('-')[1] ?? 'default'];
  const names = Array.from({ length: count }, (_, i) => String(i));
  for (const [name, id] of Object.entries(config?.speaker_id_map ?? {})) {
    if (id < count) names[id] = name;
  }
  return names;
}

/**
 * Piper: VITS voices (one speaker, or several named in the config) with espeak-ng phonemes; speed
 * is the length scale. A folder holds `<voice>.onnx`, tokens.txt and espeak-ng-data/, and in
 * releases since mid-2025 the `<voice>.onnx.json` Piper ships beside it. sherpa-onnx reads only
 * the model's metadata, so without the json the voice still loads: its name comes from the file
 * name, a multi-speaker voice's speakers are numbered.
 */
export const piper: TtsFamily = {
  task: 'tts',
  id: 'piper',
  displayName: 'Piper (VITS)',
  files: [
    { role: 'model', names: [/\.onnx$/], kind: 'file', describe: '<voice>.onnx' },
    { role: 'config', names: [/\.onnx\.json$/], kind: 'file', describe: '<voice>.onnx.json', optional: true },
    { role: 'tokens', names: ['tokens.txt'], kind: 'file' },
    { role: 'dataDir', names: ['espeak-ng-data'], kind: 'dir' },
  ],
  matches: (names) => [...names].some((n) => n.endsWith('.onnx')) && names.has('tokens.txt') && names.has('espeak-ng-data') && !names.has('voices.bin'),
  metadata: [PIPER_METADATA],
  takesLanguage: false,
  skipsUnreadableText: true,

  async capabilities(files) {
    const meta = await readOnnxMetadata(files.model!);
    const config = files.config ? await readPiperJson(files.config) : undefined;
    const language = meta.get('voice') || 'en-us';
    return {
      task: 'tts',
      family: 'piper',
      cloning: 'none',
      voices: voiceNames(config, atoi(meta.get('n_speakers')!), files.model!),
      sample_rate: atoi(meta.get('sample_rate')!),
      languages: [language],
      speed: 'native',
      controls: {},
    };
  },

  // sherpa-onnx's own defaults for Piper voices; the engine replaces lengthScale by 1 / speed.
  nativeModelConfig: (files) => ({
    vits: { model: files.model, tokens: files.tokens, dataDir: files.dataDir, lengthScale: 1, noiseScale: 0.667, noiseScaleW: 0.8 },
  }),

  generateRequest: ({ text, speed, speakerId }) => ({
    text,
    sid: speakerId,
    speed,
    generationConfig: { sid: speakerId, speed },
  }),
};
