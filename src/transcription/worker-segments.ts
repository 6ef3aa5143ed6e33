import { on } from 'node:events';
import { MessageChannel } from 'node:worker_threads';
import { AudioDecodeError } from '../audio/decode.js';
import { AudioTooLongError } from '../audio/decode-stream.js';
import { ownedBytes, runInWorker, taskModule } from '../audio/worker-pool.js';
import type { CutSegment, SegmentArgs, SegmentMessage } from './segment-task.js';

const SEGMENT_TASK = taskModule(import.meta.url, 'segment-task');

export interface SegmentingOptions {
  vadModel?: string;
  maxSegmentSeconds: number;
  maxAudioSeconds: number;
  measureNoSpeech: boolean;
}

function errorFrom(message: Extract<SegmentMessage, { type: 'error' }>): Error {
  if (message.kind === 'too-long') return new AudioTooLongError(message.message);
  return message.kind === 'invalid-audio' ? new AudioDecodeError(message.message) : new Error(`segmenting the audio failed: ${message.message}`);
}

/**
 * An upload's speech segments, cut in the audio worker pool (decoding, resampling and Silero
 * VAD all run there, off the event loop): the bytes are moved to the worker (the caller must not
 * use them afterwards), each segment's
 * samples moved back. `onDecoded` hears how many 16 kHz samples the file has given so far.
 * Stopping early (the client went away) stops the worker's decoding too.
 */
export async function* speechSegmentsOffThread(bytes: Uint8Array, options: SegmentingOptions, onDecoded: (samples: number) => void): AsyncGenerator<CutSegment> {
  const { port1, port2 } = new MessageChannel();
  const owned = ownedBytes(bytes);
  const args: SegmentArgs = { bytes: owned, ...options, port: port2 };
  const failed = new AbortController();
  let taskError: unknown;
  runInWorker<void>(SEGMENT_TASK, 'segmentSpeech', args, [owned.buffer, port2]).catch((error: unknown) => {
    taskError = error;
    failed.abort();
  });
  let finished = false;
  try {
    for await (const [message] of on(port1, 'message', { signal: failed.signal }) as AsyncIterable<[SegmentMessage]>) {
      if (message.type === 'error') throw errorFrom(message);
      onDecoded(message.decodedSamples);
      if (message.type === 'end') {
        finished = true;
        return;
      }
      port1.postMessage({ type: 'more' });
      yield message.segment;
    }
  } catch (error) {
    throw taskError ?? error;
  } finally {
    if (!finished) port1.postMessage({ type: 'stop' });
    port1.close();
  }
}
