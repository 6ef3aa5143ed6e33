import { DEFAULT_CONFIG } from '../config.js';
import type { InstalledTtsModel } from '../engine/discovery.js';
import type { ModelPool } from '../engine/model-pool.js';
import { planSpeech, type SpeechPlan, type SpeechServiceOptions } from '../speech/plan-speech.js';
import { speechRequestSchema } from '../speech/speech-request.js';
import { isVoiceName } from '../voices/saved-voice.js';
import type { OutputSpec } from './output-formats.js';

export interface SpeechInputRequest {
  voiceId: string;
  /** ElevenLabs' `model_id`: an installed model or alias; ElevenLabs' own ids (`eleven_…`) choose by voice. */
  modelId?: string;
  output: OutputSpec;
  language?: string;
}

const ELEVENLABS_MODEL = /^eleven_/;

/** The model a voice id calls for: one that has it as a preset, else (a saved voice) one that clones, else the default. */
async function modelFor(request: SpeechInputRequest, pool: ModelPool, options: SpeechServiceOptions): Promise<string> {
  if (request.modelId !== undefined && !ELEVENLABS_MODEL.test(request.modelId)) return request.modelId;
  const tts = pool.list().filter((m): m is InstalledTtsModel => m.task === 'tts');
  const preset = tts.find((m) => m.capabilities.voices.includes(request.voiceId));
  if (preset) return preset.id;
  const saved = isVoiceName(request.voiceId) && (await options.voices.get(request.voiceId)) !== undefined;
  const cloning = saved ? tts.find((m) => m.capabilities.cloning !== 'none') : undefined;
  return cloning?.id ?? 'tts-1';
}

/**
 * The speech plan a stream-input session speaks every clause with, checked before the upgrade
 * so a wrong voice, model or format is a plain HTTP error. Its text is a placeholder.
 */
export async function planSpeechInput(request: SpeechInputRequest, pool: ModelPool, options: SpeechServiceOptions): Promise<SpeechPlan> {
  const raw = request.output.codec === 'mulaw' || request.output.codec === 'alaw' ? 'pcm' : request.output.codec;
  const fields = speechRequestSchema(DEFAULT_CONFIG.maxInputChars).parse({
    model: await modelFor(request, pool, options),
    input: '.',
    voice: request.voiceId,
    response_format: raw,
    sample_rate: request.output.sampleRate,
    ...(request.language ? { language: request.language } : {}),
  });
  return planSpeech(fields, pool, options);
}
