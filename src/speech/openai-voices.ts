import type { InstalledTtsModel } from '../engine/discovery.js';

/** OpenAI's voice names, as clients hard-code them (some SDKs send `alloy` when none is given). */
export const OPENAI_VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'onyx', 'nova', 'sage', 'shimmer', 'verse', 'marin', 'cedar'] as const;
export type OpenAiVoice = (typeof OPENAI_VOICES)[number];

/** How each voice sounds, so a family's presets can be matched: female or male. */
const SOUNDS: Record<OpenAiVoice, 'f' | 'm'> = {
  alloy: 'f',
  ash: 'm',
  ballad: 'm',
  coral: 'f',
  echo: 'm',
  fable: 'm',
  onyx: 'm',
  nova: 'f',
  sage: 'f',
  shimmer: 'f',
  verse: 'm',
  marin: 'f',
  cedar: 'm',
};

/**
 * Saved voice names of the Kyutai voice pack (`vocable pull kyutai-pocket-voices`), for the
 * models that only clone: the pack has one speaker (Alba Mackenna) in four styles.
 */
const CLONING_DEFAULTS: Record<OpenAiVoice, string> = {
  alloy: 'kyutai-alba-casual',
  ash: 'kyutai-alba-announcer',
  ballad: 'kyutai-alba-a-moment-by',
  coral: 'kyutai-alba-merchant',
  echo: 'kyutai-alba-announcer',
  fable: 'kyutai-alba-a-moment-by',
  onyx: 'kyutai-alba-announcer',
  nova: 'kyutai-alba-casual',
  sage: 'kyutai-alba-a-moment-by',
  shimmer: 'kyutai-alba-merchant',
  verse: 'kyutai-alba-merchant',
  marin: 'kyutai-alba-casual',
  cedar: 'kyutai-alba-announcer',
};

/** Preset names that reveal a voice's sex: Kokoro's af_/bf_ and am_/bm_, Kitten's -f/-m and its v0.8 names. */
const FEMALE = /^[a-z]f_|-f$|^(bella|luna|rosie|kiki)$/i;
const MALE = /^[a-z]m_|-m$|^(jasper|bruno|hugo|leo)$/i;

export const isOpenAiVoice = (name: string): name is OpenAiVoice => (OPENAI_VOICES as readonly string[]).includes(name);

/** Per model id, family id or "*": OpenAI voice (or any name) → preset or saved voice. */
export type VoiceAliases = Readonly<Record<string, Readonly<Record<string, string>>>>;

/**
 * The preset or saved voice that `name` stands for on `model`: the operator's `voiceAliases`
 * first (by model id, then family id, then "*"); then, for OpenAI's voice names, the preset
 * whose name holds the voice's (Kokoro's `af_alloy`), else one that sounds alike (female or
 * male, spread by the voice's place in OpenAI's list), else any preset; a model without presets
 * gets the Kyutai voice pack's saved voices. Undefined when `name` stands for nothing.
 */
export function voiceAliasTarget(name: string, model: InstalledTtsModel, aliases: VoiceAliases): string | undefined {
  const configured = aliases[model.id]?.[name] ?? aliases[model.family.id]?.[name] ?? aliases['*']?.[name];
  if (configured !== undefined) return configured;
  if (!isOpenAiVoice(name)) return undefined;
  const presets = model.capabilities.voices;
  if (presets.length === 0) return CLONING_DEFAULTS[name];
  const named = presets.find((voice) => voice.toLowerCase().split(/[_-]/).includes(name));
  if (named) return named;
  const place = OPENAI_VOICES.filter((v) => SOUNDS[v] === SOUNDS[name]).indexOf(name);
  const alike = presets.filter((voice) => (SOUNDS[name] === 'f' ? FEMALE : MALE).test(voice));
  const pool = alike.length > 0 ? alike : presets;
  return pool[place % pool.length];
}
