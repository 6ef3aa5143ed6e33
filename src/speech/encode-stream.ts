import { createStreamEncoderOffThread, type OutputFormat } from '../audio/encode/index.js';

/**
 * Encodes audio chunks as they come and yields the bytes the encoder has ready. If the client
 * went away (`signal`) or the consumer stops early, the encoder is aborted rather than flushed,
 * so no codec state or child process outlives the request.
 */
export async function* encodeStream(
  audio: AsyncIterable<Float32Array>,
  format: OutputFormat,
  sampleRate: number,
  signal: AbortSignal,
): AsyncGenerator<Buffer> {
  const encoder = createStreamEncoderOffThread(format, sampleRate);
  let finished = false;
  try {
    for await (const samples of audio) {
      const bytes = await encoder.write(samples);
      if (bytes.length > 0) yield bytes;
    }
    if (signal.aborted) return;
    const last = await encoder.end();
    finished = true;
    if (last.length > 0) yield last;
  } finally {
    if (!finished) encoder.abort();
  }
}

/**
 * What `speech.audio.done` reports as OpenAI's `usage`: Vocable has no tokens, so input counts
 * the characters of the input text and output the milliseconds of audio made.
 */
export interface SpeechUsage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
}

/**
 * OpenAI's speech SSE events: `speech.audio.delta` with base64 audio, then `speech.audio.done`
 * with the usage, read once the audio is complete.
 */
export async function* speechEvents(bytes: AsyncIterable<Buffer>, usage: () => SpeechUsage, extra?: () => Promise<Record<string, unknown>>): AsyncGenerator<string> {
  for await (const chunk of bytes) {
    yield `data: ${JSON.stringify({ type: 'speech.audio.delta', audio: chunk.toString('base64') })}\n\n`;
  }
  yield `data: ${JSON.stringify({ type: 'speech.audio.done', usage: usage(), ...(extra ? await extra() : {}) })}\n\n`;
}
