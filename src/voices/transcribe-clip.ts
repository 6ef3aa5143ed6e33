import type { MonoAudio } from '../audio/pcm.js';
import { encodeWav } from '../audio/wav.js';
import type { ModelPool } from '../engine/model-pool.js';
import { AudioMeter, transcribe } from '../transcription/transcribe.js';
import { transcriptText } from '../transcription/transcript.js';
import type { Transcriber } from './save-voice.js';

/**
 * The transcriber for clips saved without a transcript: the first installed speech-to-text
 * model, through the same pipeline as /v1/audio/transcriptions. Undefined when none is installed.
 */
export function installedTranscriber(pool: ModelPool): Transcriber | undefined {
  const model = pool.list().find((m) => m.task === 'stt');
  if (!model || model.task !== 'stt') return undefined;
  return async (audio: MonoAudio) => {
    const segments = [];
    for await (const segment of transcribe(encodeWav(audio), { model, options: { task: 'transcribe' }, vadModel: pool.vadModel }, pool, new AudioMeter())) {
      segments.push(segment);
    }
    return transcriptText(segments);
  };
}
