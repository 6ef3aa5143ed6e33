import type { MonoAudio } from '../audio/pcm.js';
import { durationSeconds } from '../audio/pcm.js';
import type { ReferencePolicy } from '../engine/family.js';
import type { ModelPool } from '../engine/model-pool.js';
import { ConflictError, InvalidRequestError } from '../errors.js';
import { clipSpeakers, type SpeakerCheck } from '../speakers/clip-speakers.js';
import { prepareReferenceAudio } from '../reference/reference-clip.js';
import { checkTranscriptLength, checkVoiceName, type SavedVoice } from './saved-voice.js';
import type { VoiceStore } from './voice-store.js';

/**
 * Saved clips are normalised once to what the cloning families take: 24 kHz mono, up to 30 s of
 * speech (more than any model uses). A longer clip is refused when it comes with its transcript,
 * which must match it, and trimmed to its best 30 s of speech otherwise.
 */
export const SAVED_CLIP: ReferencePolicy = { sampleRate: 24000, maxSeconds: 30, overLength: 'reject' };

/** Speech-to-text for clips saved without a transcript; absent until a transcription model is installed. */
export type Transcriber = (audio: MonoAudio) => Promise<string>;

export interface SaveVoiceInput {
  name: unknown;
  audio: Uint8Array;
  transcript?: string;
  model?: string;
}

export interface VoiceServiceDeps {
  store: VoiceStore;
  pool: ModelPool;
  /** Looked up per save, so a speech-to-text model installed later is used. */
  transcriber: () => Transcriber | undefined;
}

function presetOwner(name: string, pool: ModelPool): string | undefined {
  return pool.list().find((m) => m.task === 'tts' && m.capabilities.voices.includes(name))?.id;
}

async function transcribeIfPossible(transcriber: Transcriber | undefined, audio: MonoAudio): Promise<string | null> {
  return transcriber ? (await transcriber(audio)).trim() || null : null;
}

/**
 * Checks, normalises and stores a clip as a named voice; with no transcript given, one is made
 * when a speech-to-text model is installed. With speaker models installed, the answer also says
 * how many voices the clip holds (`speaker_check`), and which part to keep when it is more than one.
 */
export async function saveVoice(input: SaveVoiceInput, { store, pool, transcriber }: VoiceServiceDeps): Promise<SavedVoice & { speaker_check?: SpeakerCheck }> {
  const name = checkVoiceName(input.name);
  const given = input.transcript?.trim();
  if (given) checkTranscriptLength(given, 'transcript');
  const owner = presetOwner(name, pool);
  if (owner) throw new ConflictError(`'${name}' is a preset voice of model '${owner}'; saved voices may not shadow presets. Pick another name.`, 'name', 'voice_exists');
  if (await store.get(name)) throw new ConflictError(`A voice named '${name}' already exists; delete it first (vocable voices rm ${name}, or DELETE /v1/voices/${name}) or pick another name.`, 'name', 'voice_exists');
  if (input.model !== undefined && pool.getTts(input.model).capabilities.cloning === 'none') {
    throw new InvalidRequestError(`Model '${input.model}' cannot clone voices; name a model that clones, or omit model`, 'model', 'cloning_not_supported');
  }
  const policy: ReferencePolicy = given ? SAVED_CLIP : { ...SAVED_CLIP, overLength: 'truncate' };
  const { audio } = await prepareReferenceAudio(input.audio, policy, 'a saved voice', { param: 'file', vadModel: pool.vadModel });
  const check = await clipSpeakers(pool, audio);
  const voice: SavedVoice = {
    id: name,
    object: 'voice',
    created_at: Math.floor(Date.now() / 1000),
    transcript: given || (await transcribeIfPossible(transcriber(), audio)),
    model: input.model ?? null,
    sample_rate: audio.sampleRate,
    duration_seconds: Math.round(durationSeconds(audio) * 100) / 100,
  };
  await store.create(voice, audio);
  return check ? { ...voice, speaker_check: check } : voice;
}
