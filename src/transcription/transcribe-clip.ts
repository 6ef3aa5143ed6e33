import { durationSeconds, type MonoAudio } from '../audio/pcm.js';
import { encodeWav } from '../audio/wav.js';
import type { InstalledSttModel } from '../engine/discovery.js';
import type { ModelPool } from '../engine/model-pool.js';
import { AudioMeter, transcribe } from './transcribe.js';
import { transcriptText } from './transcript.js';
import type { Transcriber } from '../voices/save-voice.js';

/**
 * The transcriber for clips saved without a transcript: the installed speech-to-text model that
 * knows the most languages (a clip may be in any), through the same pipeline as
 * /v1/audio/transcriptions. Undefined when none is installed.
 */
export function installedTranscriber(pool: ModelPool): Transcriber | undefined {
  const models = pool.list().filter((m): m is InstalledSttModel => m.task === 'stt');
  const model = models.sort((a, b) => b.capabilities.languages.length - a.capabilities.languages.length || a.id.localeCompare(b.id))[0];
  if (!model) return undefined;
  return async (audio: MonoAudio) => {
    const segments = [];
    for await (const segment of transcribe(encodeWav(audio), { model, options: { task: 'transcribe' }, vadModel: pool.vadModel, maxAudioSeconds: durationSeconds(audio) + 1 }, pool, new AudioMeter())) {
      segments.push(segment);
    }
    return transcriptText(segments);
  };
}
