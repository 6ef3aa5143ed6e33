import { z } from 'zod';
import { isVoiceName } from '../voices/saved-voice.js';

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits');

/** One reference clip of a pack, installed as a saved voice of this name. */
export const packVoiceSchema = z.object({
  name: z.string().refine(isVoiceName, 'a saved voice name: letters, digits, "_", "-", "."'),
  url: z.url({ protocol: /^https?$/ }),
  /** Required: a clip is checked before it becomes a voice anyone can speak with. */
  sha256: sha256Schema,
  description: z.string().min(1),
});

/**
 * Reference clips made for voice cloning, pulled like a model (`vocable pull <id>`) and
 * installed as saved voices, so models that only clone get voices to name.
 */
export const voicePackSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/),
  description: z.string().min(1),
  licence: z.string().min(1),
  /** Where the clips come from, for people to read. */
  source: z.url(),
  voices: z.array(packVoiceSchema).min(1),
});

export type VoicePack = z.infer<typeof voicePackSchema>;
export type PackVoice = z.infer<typeof packVoiceSchema>;

const KYUTAI_VOICES = 'https://huggingface.co/kyutai/tts-voices/resolve/main';

/**
 * Kyutai's `kyutai/tts-voices` clips for Pocket TTS. Only these four (one voice actor, Alba
 * Mackenna, in four styles) have SHA-256 sums that a public project pins (an Android client of
 * sherpa-onnx's Pocket TTS, gathered 2026-11; no machine here can reach the host to re-check).
 * OpenAI's voice names map onto them by default (src/speech/openai-voices.ts).
 */
export const KNOWN_VOICE_PACKS: readonly VoicePack[] = [
  {
    id: 'kyutai-pocket-voices',
    description: 'Kyutai reference clips for Pocket TTS (kyutai/tts-voices): Alba Mackenna, in four styles (casual, announcer, merchant, "a moment by").',
    licence: 'CC-BY-4.0 (kyutai/tts-voices, alba-mackenna); attribute "Alba Mackenna / Kyutai"',
    source: 'https://huggingface.co/kyutai/tts-voices',
    voices: [
      { name: 'kyutai-alba-casual', url: `${KYUTAI_VOICES}/alba-mackenna/casual.wav`, sha256: '46264e83cb99115c3d210260e029117566d9c64f20266d10daa78107759ede3e', description: 'Alba Mackenna, casual dialogue' },
      { name: 'kyutai-alba-announcer', url: `${KYUTAI_VOICES}/alba-mackenna/announcer.wav`, sha256: 'e8b55193435db043833dda62fb759ee2779ace195811340ee8d28c7c4a4ccc24', description: 'Alba Mackenna, games announcer' },
      { name: 'kyutai-alba-merchant', url: `${KYUTAI_VOICES}/alba-mackenna/merchant.wav`, sha256: '52c24756de299b37998ed83e32fdc8747f874f9dd67f0bcdc38b96d3f70cf488', description: 'Alba Mackenna, RPG merchant' },
      { name: 'kyutai-alba-a-moment-by', url: `${KYUTAI_VOICES}/alba-mackenna/a-moment-by.wav`, sha256: 'a1805f0e3610f0d5985f4abb51979620a012899e810019960310944bbcba509d', description: 'Alba Mackenna, the "a moment by" clip' },
    ],
  },
];

/** Pulled on the first start beside the default models, so that Pocket TTS, which only clones, has voices to speak in at once. */
export const DEFAULT_VOICE_PACK_IDS = ['kyutai-pocket-voices'] as const;

/** The voice packs Vocable can pull, by id. */
export class VoicePacks {
  private readonly packs = new Map<string, VoicePack>();

  constructor(packs: readonly VoicePack[] = KNOWN_VOICE_PACKS) {
    for (const pack of packs) this.packs.set(pack.id, voicePackSchema.parse(pack));
  }

  list(): VoicePack[] {
    return [...this.packs.values()];
  }

  find(id: string): VoicePack | undefined {
    return this.packs.get(id);
  }
}
