import { encodedRate, encoderAvailable, missingEncoderMessage, OUTPUT_FORMATS, type OutputFormat } from '../audio/encode/index.js';
import { durationSeconds, type MonoAudio } from '../audio/pcm.js';
import type { ReferenceClip, SynthesisInput } from '../engine/family.js';
import type { InstalledTtsModel } from '../engine/discovery.js';
import type { ModelPool } from '../engine/model-pool.js';
import { InvalidRequestError } from '../errors.js';
import { checkControls } from './controls.js';
import { isOpenAiVoice, voiceAliasTarget, type VoiceAliases } from './openai-voices.js';
import { checkTranscriptLength, isVoiceName, type SavedVoice } from '../voices/saved-voice.js';
import type { VoiceStore } from '../voices/voice-store.js';
import { decodeReferenceBase64OffThread, fitReference, looksLikePath, prepareReferenceAudio } from '../reference/reference-clip.js';
import { readReferenceFile } from './reference-file.js';
import type { SpeechRequest } from './speech-request.js';
import { splitText } from './text-chunks.js';

export interface SpeechServiceOptions {
  maxRefAudioBytes: number;
  voices: VoiceStore;
  /** A folder `ref_audio` may name files in; paths are refused when unset. */
  refAudioDir?: string;
  /** Longest text chunk handed to the engine at once. */
  maxChunkChars: number;
  /** The operator's mapping of voice names (OpenAI's and others) to presets or saved voices. */
  voiceAliases?: VoiceAliases;
}

export type StreamMode = 'none' | 'audio' | 'sse';

/** A checked speech request, ready to run: every client error has been raised by now. */
export interface SpeechPlan {
  model: InstalledTtsModel;
  /** The synthesis settings for every chunk; only the text differs between chunks. */
  settings: Omit<SynthesisInput, 'text'>;
  chunks: string[];
  /** Characters of input, which bound how much audio the engine may make. */
  inputChars: number;
  format: OutputFormat;
  /** The rate of the audio sent: the model's, or the requested sample_rate. */
  outputRate: number;
  stream: StreamMode;
  /** Request fields the model accepted but cannot use, so the client can tell. */
  ignored: string[];
}

function checkFormat(requested: string): OutputFormat {
  const format = requested.toLowerCase();
  const known = (OUTPUT_FORMATS as readonly string[]).includes(format);
  if (!known) {
    throw new InvalidRequestError(`response_format '${requested}' is not supported; use one of: ${OUTPUT_FORMATS.join(', ')}`, 'response_format', 'unsupported_response_format');
  }
  const chosen = format as OutputFormat;
  if (!encoderAvailable(chosen)) throw new InvalidRequestError(missingEncoderMessage(chosen), 'response_format', 'encoder_unavailable');
  return chosen;
}

/**
 * OpenAI's speech endpoint streams by default, so clients hear audio before synthesis ends;
 * `stream: false` asks for one whole file instead (a WAV or FLAC header with exact sizes).
 */
function streamMode(request: SpeechRequest): StreamMode {
  if (request.stream_format === 'sse') return 'sse';
  return request.stream === false && request.stream_format === undefined ? 'none' : 'audio';
}

function cloningModels(pool: ModelPool): string {
  const ids = pool.list().filter((m) => m.task === 'tts' && m.capabilities.cloning !== 'none').map((m) => m.id);
  return ids.length > 0 ? ids.join(', ') : 'none installed';
}

/** The clip a request clones from: its `ref_audio` (base64, or an allowed local path), or a saved voice. */
async function referenceFor(request: SpeechRequest, model: InstalledTtsModel, pool: ModelPool, options: SpeechServiceOptions): Promise<ReferenceClip | undefined> {
  if (request.ref_audio !== undefined) return clipFromRequest(request, request.ref_audio, model, pool, options);
  // Only a valid voice name reaches the store: it becomes a path there.
  const saved = isVoiceName(request.voice) && !model.capabilities.voices.includes(request.voice) ? await options.voices.get(request.voice) : undefined;
  if (saved) return clipFromSavedVoice(request, saved, model, pool, options);
  if (request.ref_text !== undefined) {
    throw new InvalidRequestError('ref_text was sent without ref_audio: send the clip it transcribes as ref_audio', 'ref_audio', 'missing_ref_audio');
  }
  return undefined;
}

function refuseCloning(model: InstalledTtsModel, pool: ModelPool, what: string, param: string): never {
  throw new InvalidRequestError(
    `Model '${model.id}' cannot clone voices, so it cannot use ${what}; pick a preset voice (${model.capabilities.voices.join(', ')}), or use a model that clones: ${cloningModels(pool)}`,
    param,
    'cloning_not_supported',
  );
}

/**
 * A model that clones from a transcript times its speech by the clip's seconds per character:
 * a few characters for a long clip would make minutes of audio for each character of input.
 */
const MIN_TRANSCRIPT_CHARS_PER_SECOND = 1;

/** Checks that a clip's transcript could be what is said in it, before the engine trusts it. */
function checkTranscript(text: string, audio: MonoAudio, param: string): void {
  checkTranscriptLength(text, param);
  const chars = [...text].length;
  const seconds = durationSeconds(audio);
  if (chars < MIN_TRANSCRIPT_CHARS_PER_SECOND * seconds) {
    throw new InvalidRequestError(
      `The transcript of the clip has ${chars} characters for ${seconds.toFixed(1)} s of speech; send all the words spoken in the clip`,
      param,
      'transcript_too_short',
    );
  }
}

async function clipFromRequest(request: SpeechRequest, refAudio: string, model: InstalledTtsModel, pool: ModelPool, options: SpeechServiceOptions): Promise<ReferenceClip> {
  const { cloning } = model.capabilities;
  if (cloning === 'none') refuseCloning(model, pool, 'ref_audio', 'ref_audio');
  const text = request.ref_text?.trim();
  if (cloning === 'audio+transcript' && !text) {
    throw new InvalidRequestError(
      `Model '${model.id}' clones from a clip and its transcript: send ref_text with the words spoken in ref_audio`,
      'ref_text',
      'missing_ref_text',
    );
  }
  const bytes = looksLikePath(refAudio)
    ? await readReferenceFile(refAudio, options.refAudioDir, options.maxRefAudioBytes)
    : await decodeReferenceBase64OffThread(refAudio, options.maxRefAudioBytes);
  const { audio, trimmed } = await prepareReferenceAudio(bytes, model.family.reference!, `model '${model.id}'`, { vadModel: pool.vadModel });
  if (cloning === 'audio+transcript') checkTranscript(text!, audio, 'ref_text');
  return { audio, ...(cloning === 'audio+transcript' ? { text } : {}), ...(trimmed ? { trimmed } : {}) };
}

async function clipFromSavedVoice(request: SpeechRequest, voice: SavedVoice, model: InstalledTtsModel, pool: ModelPool, options: SpeechServiceOptions): Promise<ReferenceClip> {
  const { cloning } = model.capabilities;
  if (cloning === 'none') refuseCloning(model, pool, `the saved voice '${voice.id}'`, 'voice');
  const text = request.ref_text?.trim() || voice.transcript || undefined;
  if (cloning === 'audio+transcript' && !text) {
    throw new InvalidRequestError(
      `Saved voice '${voice.id}' has no transcript, and model '${model.id}' needs one: PATCH /v1/voices/${voice.id} with {"transcript": "..."}, or send ref_text`,
      'voice',
      'missing_transcript',
    );
  }
  const clip = await options.voices.audio(voice.id);
  if (!clip) throw new InvalidRequestError(`Saved voice '${voice.id}' was deleted while this request ran`, 'voice', 'unknown_voice');
  const { audio, trimmed } = await fitReference(clip, model.family.reference!, `model '${model.id}'`, { param: 'voice', vadModel: pool.vadModel });
  if (cloning === 'audio+transcript') checkTranscript(text!, audio, request.ref_text?.trim() ? 'ref_text' : 'voice');
  return { audio, ...(cloning === 'audio+transcript' ? { text } : {}), ...(trimmed ? { trimmed } : {}) };
}

function speakerIdFor(request: SpeechRequest, model: InstalledTtsModel, reference: ReferenceClip | undefined): number {
  const { voices, cloning } = model.capabilities;
  if (reference) return 0;
  if (voices.length === 0) {
    throw new InvalidRequestError(
      `Model '${model.id}' has no preset voices; it clones a voice from a clip: send ref_audio (base64)${cloning === 'audio+transcript' ? ' and ref_text' : ''}, or name a saved voice (GET /v1/voices)${model.family.id === 'pocket' ? '. Pull the Kyutai voices made for it (vocable pull kyutai-pocket-voices) and it speaks without either' : ''}`,
      'ref_audio',
      'missing_ref_audio',
    );
  }
  if (request.voice === undefined) return 0;
  const index = voices.indexOf(request.voice);
  if (index < 0) {
    throw new InvalidRequestError(
      `Model '${model.id}' has no voice '${request.voice}'; its voices are: ${voices.join(', ')} (saved voices: GET /v1/voices)`,
      'voice',
      'unknown_voice',
    );
  }
  return index;
}

/** Saved voice names, for an error that lists the voices there are. */
async function savedVoiceNames(options: SpeechServiceOptions): Promise<string> {
  const names = (await options.voices.list()).map((v) => v.id);
  return names.length > 0 ? names.join(', ') : 'none';
}

/**
 * The voice a request names, as this model can use it: a preset or saved voice of that name,
 * else what the name stands for (OpenAI's voice names, the operator's voiceAliases). A name
 * that leads to no usable voice is a 400 that lists the voices there are. With ref_audio the
 * voice name is not used, so it is left alone.
 */
/** OpenAI's SDKs fill in this voice when none is given; without a voice, a model speaks as it would. */
const OPENAI_DEFAULT_VOICE = 'alloy';

/**
 * The voice a model speaks in when the request names none and sends no clip: its first preset,
 * or, for a model that only clones, the saved voice OpenAI's default voice stands for on it (a
 * voice of the Kyutai pack, which the first start installs beside Pocket TTS). Undefined when
 * there is none: such a request needs a clip or a voice name.
 */
export async function defaultVoice(model: InstalledTtsModel, options: Pick<SpeechServiceOptions, 'voices' | 'voiceAliases'>): Promise<string | undefined> {
  const presets = model.capabilities.voices;
  if (presets.length > 0) return presets[0];
  const target = voiceAliasTarget(OPENAI_DEFAULT_VOICE, model, options.voiceAliases ?? {});
  return target !== undefined && isVoiceName(target) && (await options.voices.get(target)) !== undefined ? target : undefined;
}

async function resolveVoice(request: SpeechRequest, model: InstalledTtsModel, options: SpeechServiceOptions): Promise<string | undefined> {
  const name = request.voice;
  if (request.ref_audio !== undefined) return name;
  if (name === undefined) return model.capabilities.voices.length > 0 ? undefined : defaultVoice(model, options);
  const presets = model.capabilities.voices;
  // Only a valid voice name reaches the store: it becomes a path there.
  const usable = async (voice: string) => presets.includes(voice) || (isVoiceName(voice) && (await options.voices.get(voice)) !== undefined);
  if (await usable(name)) return name;
  const target = voiceAliasTarget(name, model, options.voiceAliases ?? {});
  if (target !== undefined && (await usable(target))) return target;
  const voices = `its preset voices: ${presets.length > 0 ? presets.join(', ') : 'none'}; saved voices: ${await savedVoiceNames(options)}`;
  if (target !== undefined) {
    const pack = isOpenAiVoice(name) && presets.length === 0 ? ' Pull the Kyutai voice pack that provides it (`vocable pull kyutai-pocket-voices`, or POST /v1/models/pull {"model": "kyutai-pocket-voices"}), or' : '';
    throw new InvalidRequestError(
      `Voice '${name}' stands for '${target}' on model '${model.id}', which is neither its preset nor a saved voice.${pack} map '${name}' to another voice in voiceAliases (config file), or name a voice there is (${voices}).`,
      'voice',
      'unknown_voice',
    );
  }
  throw new InvalidRequestError(`Model '${model.id}' has no voice '${name}'; ${voices} (GET /v1/voices)`, 'voice', 'unknown_voice');
}

/** A preset voice's own language (a French Kokoro voice reads French), when the model speaks it. */
function presetVoiceLanguage(model: InstalledTtsModel, speakerId: number, reference: ReferenceClip | undefined): string | undefined {
  if (reference || !model.family.takesLanguage) return undefined;
  const spoken = model.family.voiceLanguage?.(model.capabilities.voices[speakerId] ?? '');
  return spoken && model.capabilities.languages.includes(spoken) ? spoken : undefined;
}

/** Checks a speech request against the model and prepares its reference clip and text chunks. */
export async function planSpeech(request: SpeechRequest, pool: ModelPool, options: SpeechServiceOptions): Promise<SpeechPlan> {
  const model = pool.getTts(request.model);
  const format = checkFormat(request.response_format);
  const { controls, language } = checkControls(request, model);
  request = { ...request, voice: await resolveVoice(request, model, options) };
  const reference = await referenceFor(request, model, pool, options);
  const speakerId = speakerIdFor(request, model, reference);
  return {
    model,
    settings: { speed: request.speed, speakerId, reference, controls, language: language ?? presetVoiceLanguage(model, speakerId, reference) },
    chunks: splitText(request.input, options.maxChunkChars),
    inputChars: request.input.length,
    format,
    outputRate: encodedRate(format, request.sample_rate ?? model.capabilities.sample_rate),
    stream: streamMode(request),
    // No family takes style instructions yet; OpenAI clients send them, so they are accepted.
    ignored: request.instructions !== undefined ? ['instructions'] : [],
  };
}
