import { createParser } from 'eventsource-parser';
import { ApiError, type ApiClient } from './api.js';
import type { TimedText as TranscriptSegment } from '../wire/transcripts.js';

interface StreamEvent {
  type?: string;
  delta?: string;
  start?: number;
  end?: number;
  text?: string;
  error?: { message?: string; code?: string | null };
}

export interface StreamedTranscript {
  text: string;
  wallSeconds: number;
}

/**
 * `POST /v1/audio/transcriptions` with `stream=true`: each segment reaches `onSegment` as soon as
 * it is recognised (the server's deltas carry their start and end), so a long file shows its
 * text as it goes. Segments recognised before a failure have been handed over when it throws.
 */
export async function transcribeStreaming(api: ApiClient, model: string, file: File, onSegment: (segment: TranscriptSegment) => void): Promise<StreamedTranscript> {
  const form = new FormData();
  form.append('model', model);
  form.append('response_format', 'json');
  form.append('stream', 'true');
  form.append('file', file, file.name);
  const started = performance.now();
  const response = await api.postForm('/v1/audio/transcriptions', form);
  let done: string | undefined;
  let failure: ApiError | undefined;
  const parser = createParser({
    onEvent: ({ data }) => {
      const event = JSON.parse(data) as StreamEvent;
      if (event.type === 'transcript.text.delta' && event.delta !== undefined) {
        onSegment({ start: event.start ?? 0, end: event.end ?? 0, text: event.delta.trim() });
      } else if (event.type === 'transcript.text.done') {
        done = event.text ?? '';
      } else if (event.type === 'error') {
        failure = new ApiError(event.error?.message ?? 'The transcription failed.', 500, event.error?.code ?? null);
      }
    },
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) parser.feed(next.value);
  if (failure) throw failure;
  if (done === undefined) throw new ApiError('The server stopped sending before the transcription was complete: the text so far is shown. Try again.', 0);
  return { text: done, wallSeconds: (performance.now() - started) / 1000 };
}
