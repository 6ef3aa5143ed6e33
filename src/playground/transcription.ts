import type { ApiClient } from './api.js';
import type { VerboseTranscript } from '../wire/transcripts.js';

export interface TranscriptionResult {
  transcript: VerboseTranscript;
  wallSeconds: number;
}

/** `POST /v1/audio/transcriptions` as `verbose_json` with segment times (and speakers, when asked); timed from sending to the answer. */
export async function transcribe(api: ApiClient, model: string, file: File, speakers: boolean): Promise<TranscriptionResult> {
  const form = new FormData();
  form.append('model', model);
  form.append('response_format', 'verbose_json');
  form.append('timestamp_granularities[]', 'segment');
  if (speakers) form.append('speaker_labels', 'true');
  form.append('file', file, file.name);
  const started = performance.now();
  const transcript = (await (await api.postForm('/v1/audio/transcriptions', form)).json()) as VerboseTranscript;
  return { transcript, wallSeconds: (performance.now() - started) / 1000 };
}
