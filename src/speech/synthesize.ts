import type { MonoAudio } from '../audio/pcm.js';
import type { ReferenceClip, SynthesisInput } from '../engine/family.js';
import type { InstalledModel } from '../engine/discovery.js';
import type { ModelPool } from '../engine/model-pool.js';
import { EngineError, InvalidRequestError } from '../errors.js';
import { checkControls } from './controls.js';
import { decodeReferenceBase64, prepareReferenceAudio } from './reference-audio.js';
import { SUPPORTED_RESPONSE_FORMATS, type ResponseFormat, type SpeechRequest } from './speech-request.js';

export interface SpeechServiceOptions {
  maxRefAudioBytes: number;
}

export interface SpeechResult {
  audio: MonoAudio;
  format: ResponseFormat;
  /** Request fields the model accepted but cannot use, so the client can tell. */
  ignored: string[];
}

function checkFormat(format: string): ResponseFormat {
  if ((SUPPORTED_RESPONSE_FORMATS as readonly string[]).includes(format)) return format as ResponseFormat;
  throw new InvalidRequestError(
    `response_format '${format}' is not supported; use one of: ${SUPPORTED_RESPONSE_FORMATS.join(', ')}`,
    'response_format',
    'unsupported_response_format',
  );
}

function cloningModels(pool: ModelPool): string {
  const ids = pool.list().filter((m) => m.capabilities.cloning !== 'none').map((m) => m.id);
  return ids.length > 0 ? ids.join(', ') : 'none installed';
}

async function referenceFor(request: SpeechRequest, model: InstalledModel, pool: ModelPool, options: SpeechServiceOptions): Promise<ReferenceClip | undefined> {
  const { cloning } = model.capabilities;
  if (request.ref_audio === undefined) {
    if (request.ref_text !== undefined) {
      throw new InvalidRequestError('ref_text was sent without ref_audio: send the clip it transcribes as ref_audio', 'ref_audio', 'missing_ref_audio');
    }
    return undefined;
  }
  if (cloning === 'none') {
    throw new InvalidRequestError(
      `Model '${model.id}' cannot clone voices; drop ref_audio and pick a preset voice (${model.capabilities.voices.join(', ')}), or use a model that clones: ${cloningModels(pool)}`,
      'ref_audio',
      'cloning_not_supported',
    );
  }
  const text = request.ref_text?.trim();
  if (cloning === 'audio+transcript' && !text) {
    throw new InvalidRequestError(
      `Model '${model.id}' clones from a clip and its transcript: send ref_text with the words spoken in ref_audio`,
      'ref_text',
      'missing_ref_text',
    );
  }
  const bytes = decodeReferenceBase64(request.ref_audio, options.maxRefAudioBytes);
  const audio = await prepareReferenceAudio(bytes, model.family.reference!, model.id);
  return cloning === 'audio+transcript' ? { audio, text } : { audio };
}

function speakerIdFor(request: SpeechRequest, model: InstalledModel, reference: ReferenceClip | undefined): number {
  const { voices, cloning } = model.capabilities;
  if (reference) return 0;
  if (voices.length === 0) {
    throw new InvalidRequestError(
      `Model '${model.id}' has no preset voices; it clones a voice from a clip: send ref_audio (base64)${cloning === 'audio+transcript' ? ' and ref_text' : ''}`,
      'ref_audio',
      'missing_ref_audio',
    );
  }
  if (request.voice === undefined) return 0;
  const index = voices.indexOf(request.voice);
  if (index < 0) {
    throw new InvalidRequestError(`Model '${model.id}' has no voice '${request.voice}'; its voices are: ${voices.join(', ')}`, 'voice', 'voice_not_found');
  }
  return index;
}

/** Text (and, for cloning, a reference clip) to audio with one installed model. */
export async function synthesizeSpeech(request: SpeechRequest, pool: ModelPool, options: SpeechServiceOptions): Promise<SpeechResult> {
  const model = pool.get(request.model);
  const format = checkFormat(request.response_format);
  if (request.speed !== 1 && !model.capabilities.speed) {
    throw new InvalidRequestError(`Model '${model.id}' cannot change its speed; omit speed or send 1.0`, 'speed', 'unsupported_control');
  }
  const { controls, language } = checkControls(request, model);
  const reference = await referenceFor(request, model, pool, options);
  const input: SynthesisInput = {
    text: request.input,
    speed: request.speed,
    speakerId: speakerIdFor(request, model, reference),
    reference,
    controls,
    language,
  };
  const generated = await pool.run(model.id, async (engine) => {
    try {
      return await engine.generateAsync(model.family.generateRequest(input));
    } catch (error) {
      throw new EngineError(`Model '${model.id}' failed to synthesize this input: ${(error as Error).message}`);
    }
  });
  if (generated.samples.length === 0) {
    throw new InvalidRequestError(`Model '${model.id}' produced no audio for this input: it may hold nothing speakable. Send words to speak.`, 'input', 'empty_audio');
  }
  // No family takes style instructions yet; OpenAI clients send them, so they are accepted.
  const ignored = request.instructions !== undefined ? ['instructions'] : [];
  return { audio: { samples: generated.samples, sampleRate: generated.sampleRate }, format, ignored };
}
